"""The public "Report a concern" page: the chat beside the jurisdiction's public information.

Rendered on the server (Jinja2, autoescaped), so the warning signs and the ways to report are
readable without JavaScript; the jurisdiction's texts come from PublicInfo, the page's own
labels from UI below.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.public_info import PublicInfo

WEB = Path(__file__).resolve().parent.parent / "web"
LANGUAGE_NAMES = {"en": "English", "es": "Español"}

UI: dict[str, dict[str, str]] = {
    "en": {
        "title": "Report a concern",
        "intro": "Tell us about a threat, a plan to hurt someone, suicide risk, a suspicious gun purchase, "
        "someone watching or testing a place, or a person who needs a wellness check. You do not have to "
        "give your name.",
        "danger": "In danger? Call",
        "quick_exit": "Quick exit",
        "quick_exit_hint": "Leave this page now",
        "chat_heading": "Chat with the tipline",
        "conversation": "Conversation",
        "message_label": "Your message",
        "send": "Send",
        "connecting": "Connecting…",
        "connected": "Connected. Type your message below.",
        "offline": "Connection lost. Trying again… If anyone is in danger, call 911.",
        "you": "You",
        "bot": "Tipline",
        "no_script": "The chat needs JavaScript. You can still call or text the numbers on this page.",
        "ways_heading": "Ways to report",
        "emergency": "Emergency",
        "crisis": "Suicide and crisis",
        "call": "Call",
        "text": "Text",
        "chat": "Chat online",
        "fbi": "FBI tips",
        "state": "State tipline",
        "signs_heading": "Warning signs to report",
        "hours_heading": "When this line is watched",
        "privacy_heading": "Your privacy",
        "language_switch": "Español",
    },
    "es": {
        "title": "Reportar una preocupación",
        "intro": "Cuéntenos sobre una amenaza, un plan para hacer daño, riesgo de suicidio, una compra sospechosa "
        "de armas, alguien que vigila o pone a prueba un lugar, o una persona que necesita una visita de "
        "bienestar. No tiene que dar su nombre.",
        "danger": "¿En peligro? Llame al",
        "quick_exit": "Salida rápida",
        "quick_exit_hint": "Salir de esta página ahora",
        "chat_heading": "Chatee con la línea de denuncias",
        "conversation": "Conversación",
        "message_label": "Su mensaje",
        "send": "Enviar",
        "connecting": "Conectando…",
        "connected": "Conectado. Escriba su mensaje abajo.",
        "offline": "Se perdió la conexión. Reintentando… Si alguien está en peligro, llame al 911.",
        "you": "Usted",
        "bot": "Línea de denuncias",
        "no_script": "El chat necesita JavaScript. Aún puede llamar o enviar un texto a los números de esta página.",
        "ways_heading": "Formas de reportar",
        "emergency": "Emergencia",
        "crisis": "Suicidio y crisis",
        "call": "Llame",
        "text": "Texto",
        "chat": "Chat en línea",
        "fbi": "Denuncias al FBI",
        "state": "Línea estatal",
        "signs_heading": "Señales de alerta que debe reportar",
        "hours_heading": "Cuándo se atiende esta línea",
        "privacy_heading": "Su privacidad",
        "language_switch": "English",
    },
}


@dataclass(frozen=True)
class PageOptions:
    quick_exit_url: str
    socket_path: str = "/socket.io"


class ReportPage:
    def __init__(self, options: PageOptions) -> None:
        self.options = options
        self.env = Environment(
            loader=FileSystemLoader(WEB / "templates"),
            autoescape=select_autoescape(default=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def language(self, info: PublicInfo, asked: str | None, accept_language: str) -> str:
        """The ?lang= asked for, else the browser's first language the page and the jurisdiction both have."""
        offered = [code for code in info.languages if code in UI] or ["en"]
        if asked in offered:
            return asked
        for part in accept_language.split(","):
            code = part.split(";")[0].strip().lower()[:2]
            if code in offered:
                return code
        return offered[0]

    def render(self, info: PublicInfo, language: str, embedded: bool = False) -> str:
        other = next((code for code in info.languages if code != language and code in UI), None)
        data = info.data

        def local(value: Any) -> Any:
            return info.localized(value, language)

        return self.env.get_template("report.html").render(
            lang=language,
            ui=UI[language],
            other_language=other,
            name=data.get("name", ""),
            emergency=data.get("emergency") or {},
            emergency_message=info.emergency_message(language),
            crisis=data.get("crisis") or {},
            crisis_message=local((data.get("crisis") or {}).get("message")),
            fbi=data.get("fbi") or {},
            state_tipline=data.get("state_tipline") or {},
            coverage_message=local((data.get("coverage") or {}).get("message")),
            warning_signs=local(data.get("warning_signs")) or [],
            privacy_notice=local(data.get("privacy_notice")),
            quick_exit_url=self.options.quick_exit_url,
            socket_path=self.options.socket_path,
            embedded=embedded,
        )
