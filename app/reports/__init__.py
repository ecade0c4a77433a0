"""Half-year reports for the council: figures with the stories and reflections behind them."""
