"""Flood control for the public channels: limits per sender and overall, never against an emergency.

After a high-profile event a tipline can receive far more messages than the engine can answer (a
few dozen a second on two cores), and one sender can flood it on purpose. Past a limit a message
gets a short polite reply that points to 911 instead of a turn, unless its words signal danger:
then it goes through whatever the counters say. The word screen is deliberately broad; a false
alarm only costs one turn, a missed emergency is the worst bug the project can have.
"""

from __future__ import annotations

import enum
import re
import unicodedata

from bot.settings import FloodLimits
from bot.state import ChannelState

# Word beginnings (accents ignored, case ignored) that make a message bypass every limit.
# fmt: off
DANGER_STEMS = (
    # English
    "911", "emergenc", "danger", "help", "gun", "shoot", "shot", "rifle", "pistol", "firearm", "weapon",
    "ammo", "knife", "stab", "bomb", "explos", "kill", "murder", "die", "dying", "dead", "suicid",
    "overdos", "pill", "hurt", "attack", "hostage", "bleed", "blood", "threat", "hang", "now", "tonight",
    "today",
    # Spanish
    "emergencia", "peligro", "ayuda", "arma", "disparo", "dispar", "balacera", "tiroteo", "cuchillo",
    "navaja", "bomba", "matar", "mata", "muert", "morir", "muero", "suicid", "pastilla", "sobredosis",
    "herid", "ataque", "rehen", "sangr", "amenaz", "ahora", "hoy", "esta noche",
)
# fmt: on
DANGER = re.compile(r"\b(?:" + "|".join(re.escape(s) for s in DANGER_STEMS) + ")", re.IGNORECASE)


def _folded(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def signals_danger(text: str) -> bool:
    return bool(DANGER.search(_folded(text)))


class Verdict(enum.Enum):
    ADMIT = "admit"
    SENDER_LIMITED = "sender_limited"
    OVERALL_LIMITED = "overall_limited"


class FloodControl:
    def __init__(self, state: ChannelState, limits: FloodLimits, channel: str) -> None:
        self.state = state
        self.limits = limits
        self.channel = channel

    async def judge(self, sender: str, text: str) -> Verdict:
        """Count the message; ADMIT when within both limits or when it signals danger."""
        per_sender = await self.state.count(f"flood:{self.channel}:{sender}", self.limits.per_sender_window)
        overall = await self.state.count(f"flood:{self.channel}", self.limits.overall_window)
        if signals_danger(text):
            return Verdict.ADMIT
        if per_sender > self.limits.per_sender:
            return Verdict.SENDER_LIMITED
        if overall > self.limits.overall:
            return Verdict.OVERALL_LIMITED
        return Verdict.ADMIT

    async def first_notice(self, sender: str) -> bool:
        """True once per sender and window: the polite reply is sent once, not to every message."""
        return await self.state.claim(f"flood-notice:{self.channel}:{sender}", self.limits.per_sender_window)
