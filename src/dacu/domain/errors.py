"""Domain exceptions: one per failure that matters, carrying its data."""


class InvalidRule(ValueError):
    """A cart, promotion or wallet item breaks a rule of the pricing spec."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message

    def within(self, prefix: str) -> "InvalidRule":
        """The same error, its field named from an outer object."""
        if not prefix:
            return self
        joined = f"{prefix}.{self.field}" if self.field else prefix
        return InvalidRule(joined.replace(".[", "["), self.message)
