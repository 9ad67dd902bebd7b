"""Flood control for the public channels: limits per sender and overall, emergencies served first.

After a high-profile event a tipline can receive far more messages than the engine can answer (a
few dozen a second on two cores), and one sender can flood it on purpose. Past a limit a message
gets a short polite reply that points to 911 instead of a turn. A message whose words signal
danger counts like any other, but it is never turned away here: within its sender's limit it is
served before ordinary turns (bot/turns.py), past it it waits its turn like them. The word screen
is deliberately broad (a false alarm only costs a place in the line), and it matches whole words:
"nowhere" is not "now", "hangar" is not "hang".

Web chat also limits the sessions started from one client address (`client_address`), so one
machine cannot open hundreds of conversations, each with its own per-sender allowance.
"""

from __future__ import annotations

import enum
import ipaddress
import re
import unicodedata

from bot.settings import FloodLimits
from bot.state import ChannelState

# Whole words (accents ignored, case ignored) that make a message urgent.
# fmt: off
DANGER_WORDS = (
    # English
    "911", "emergency", "emergencies", "danger", "dangerous", "help", "gun", "guns", "gunman", "gunmen",
    "gunfire", "gunshot", "gunshots", "handgun", "handguns", "shotgun", "shotguns", "shoot", "shoots",
    "shooting", "shooter", "shooters", "shot", "shots", "rifle", "rifles", "pistol", "pistols", "firearm",
    "firearms", "weapon", "weapons", "armed", "ammo", "knife", "knives", "stab", "stabbed", "stabbing",
    "bomb", "bombs", "bombing", "explosive", "explosives", "explosion", "kill", "kills", "killing", "killed",
    "killer", "murder", "murdered", "die", "dying", "dead", "suicide", "suicidal", "overdose", "overdosed",
    "overdosing", "pill", "pills", "hurt", "hurting", "attack", "attacking", "hostage", "bleed", "bleeding",
    "blood", "threat", "threats", "threaten", "threatens", "threatened", "threatening", "hang", "hanging",
    "now", "tonight", "today",
    # Spanish
    "emergencia", "emergencias", "peligro", "ayuda", "arma", "armas", "armado", "pistola", "pistolas",
    "disparo", "disparos", "disparar", "disparando", "dispararon", "balacera", "tiroteo", "cuchillo",
    "navaja", "bomba", "bombas", "matar", "mata", "matando", "matarme", "matarte", "matarlo", "matarla",
    "matarlos", "matarse", "muerto", "muerta", "muertos", "muerte", "morir", "muero", "suicidio", "suicida",
    "suicidarme", "pastilla", "pastillas", "sobredosis", "herido", "herida", "heridos", "heridas", "ataque",
    "rehen", "rehenes", "sangre", "sangrando", "amenaza", "amenazas", "amenazando", "amenazo", "ahora",
    "hoy", "esta noche",
)
# fmt: on
DANGER = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in DANGER_WORDS) + r")\b", re.IGNORECASE)


def _folded(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def signals_danger(text: str) -> bool:
    return bool(DANGER.search(_folded(text)))


def client_address(peer: str, forwarded_for: str | None, trusted_proxies: frozenset[str]) -> str:
    """The resident's address: the peer, or the address our balancer added to X-Forwarded-For.

    The header is believed only from a trusted proxy, and only its last entry, the one the proxy
    appended itself: anything before it was written by the client and proves nothing.
    """
    if peer not in trusted_proxies or not forwarded_for:
        return peer
    last = forwarded_for.rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:
        return peer


class Verdict(enum.Enum):
    URGENT = "urgent"  # signals danger, sender within its limit: served before ordinary turns
    ADMIT = "admit"
    SENDER_LIMITED = "sender_limited"
    OVERALL_LIMITED = "overall_limited"


class FloodControl:
    def __init__(self, state: ChannelState, limits: FloodLimits, channel: str) -> None:
        self.state = state
        self.limits = limits
        self.channel = channel

    async def judge(self, sender: str, text: str) -> Verdict:
        """Count the message, whatever it says, and decide whether and how it is served."""
        per_sender = await self.state.count(f"flood:{self.channel}:{sender}", self.limits.per_sender_window)
        overall = await self.state.count(f"flood:{self.channel}", self.limits.overall_window)
        within_sender_limit = per_sender <= self.limits.per_sender
        if signals_danger(text):
            # Never turned away (that would be a missed emergency), but a flood of danger words
            # from one sender loses its place at the front once past the sender's limit.
            return Verdict.URGENT if within_sender_limit else Verdict.ADMIT
        if not within_sender_limit:
            return Verdict.SENDER_LIMITED
        if overall > self.limits.overall:
            return Verdict.OVERALL_LIMITED
        return Verdict.ADMIT

    async def new_session(self, address: str) -> bool:
        """Count a web chat session started from `address`; False past the per-address limit."""
        started = await self.state.count(f"sessions:{self.channel}:{address}", self.limits.sessions_per_address_window)
        return started <= self.limits.sessions_per_address

    async def first_notice(self, sender: str) -> bool:
        """True once per sender and window: the polite reply is sent once, not to every message."""
        return await self.state.claim(f"flood-notice:{self.channel}:{sender}", self.limits.per_sender_window)
