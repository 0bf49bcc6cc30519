"""User-facing errors: the entry points print these without a traceback."""


class FramingError(Exception):
    """A problem the user can fix (bad data, bad config, missing file); the message says what and where."""


class DataError(FramingError):
    """A data file breaks the data contract."""


class ConfigError(FramingError):
    """A configuration value is invalid in a way the schema cannot express."""
