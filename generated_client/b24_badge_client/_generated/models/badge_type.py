from enum import StrEnum


class BadgeType(StrEnum):
    FAILURE = "failure"
    PRIMARY = "primary"
    SECONDARY = "secondary"
    SUCCESS = "success"
    WARNING = "warning"

    def __str__(self) -> str:
        return str(self.value)
