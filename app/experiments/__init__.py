"""Safe to try: ideas, experiments and the decisions to scale, adjust or stop them.

``ideas`` takes proposals from partners, residents and staff and weighs them by
consent; ``experiments`` runs a chosen idea small with pilot and comparison districts;
``evidence`` gathers what a review looks at; ``portfolio`` builds the overview page;
``public`` turns each into its API answer.
"""
