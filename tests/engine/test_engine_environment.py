"""Checks of the engine environment that the bot depends on."""

from importlib.metadata import version


def test_socketio_is_pinned_below_the_release_that_breaks_rasa_web_chat() -> None:
    # Rasa 3.6 calls sio.enter_room() without await; from 5.10 that is a coroutine and web chat
    # replies never reach the browser.
    assert version("python-socketio") == "5.9.0"


def test_rasa_is_the_version_the_project_is_built_for() -> None:
    assert version("rasa") == "3.6.21"
