"""Check the action server's answers against Rasa's schema with a validator compiled once.

Rasa 3.6's RemoteAction checks every answer of the action server with `jsonschema.validate()`,
which first checks the schema itself against its meta-schema and builds a new validator: Rasa's
events schema is large, so that is done again for every custom action call, on the turn's thread.
`install()` (called when the engine loads our channels, bot/operations.py) replaces the check with
one validator built once; answers are judged exactly as before (same schema, same error).
"""

from __future__ import annotations

from typing import Any

from jsonschema import exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

_VALIDATOR: Any = None


def _validator() -> Any:
    global _VALIDATOR
    if _VALIDATOR is None:
        schema = RemoteAction.action_response_format_spec()
        cls = validators.validator_for(schema)
        cls.check_schema(schema)
        _VALIDATOR = cls(schema)
    return _VALIDATOR


def validate_action_result(_action: RemoteAction, result: dict[str, Any]) -> bool:
    """RemoteAction._validate_action_result, with the validator built once."""
    error = exceptions.best_match(_validator().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def install() -> None:
    _validator()
    RemoteAction._validate_action_result = validate_action_result
