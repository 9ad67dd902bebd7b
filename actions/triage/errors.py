"""The one error start-up checks catch: the phrase lists or rules are invalid."""


class TriageDataError(Exception):
    """A phrase file or rules.yml is invalid; the message names the file and the entry."""
