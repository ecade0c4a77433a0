"""What a programme track expects: the results it works towards, the indicators that follow
each, and the re-calibrations of its assignment over time (the problem and the shared end
picture are columns of the theme itself)."""

from datetime import date

from sqlmodel import Field, SQLModel


class ThemeResult(SQLModel, table=True):
    """An expected result of a theme, in the order the programme lists them."""

    __tablename__ = "theme_result"

    id: int = Field(default=None, primary_key=True)
    theme_id: int = Field(foreign_key="theme.id", index=True, ondelete="CASCADE")
    position: int = 0
    description: str = Field(max_length=2_000)


class ThemeResultIndicator(SQLModel, table=True):
    """An indicator that follows an expected result."""

    __tablename__ = "theme_result_indicator"

    result_id: int = Field(foreign_key="theme_result.id", primary_key=True, ondelete="CASCADE")
    indicator_id: int = Field(foreign_key="indicator.id", primary_key=True, ondelete="CASCADE")


class ThemeRecalibration(SQLModel, table=True):
    """A re-calibration of a theme's assignment: when, what changed, why, and the
    development (if any) that prompted it."""

    __tablename__ = "theme_recalibration"

    id: int = Field(default=None, primary_key=True)
    theme_id: int = Field(foreign_key="theme.id", index=True, ondelete="CASCADE")
    changed_on: date
    what: str = Field(max_length=5_000)
    why: str = Field(default="", max_length=5_000)
    event_id: int | None = Field(default=None, foreign_key="context_event.id", ondelete="SET NULL")
