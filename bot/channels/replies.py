"""What the channels say by themselves, in English and Spanish; the jurisdiction's texts are not here."""

from __future__ import annotations

from bot.public_info import PublicInfo

BUSY = {
    "en": "We are getting more messages than we can read at once. Please send that again in a minute.",
    "es": "Estamos recibiendo más mensajes de los que podemos leer. Por favor, envíelo de nuevo en un minuto.",
}
TOO_MANY_CHATS = {
    "en": "Many chats have been started from this connection. Please try again in a few minutes.",
    "es": "Se han abierto muchos chats desde esta conexión. Por favor, inténtelo de nuevo en unos minutos.",
}
MEDIA_RECEIVED = {
    "en": "We received your photo or file. Please also tell us in words what is happening.",
    "es": "Recibimos su foto o archivo. Por favor, cuéntenos también con palabras qué está pasando.",
}
TROUBLE = {
    "en": "Sorry, something went wrong on our side. Please write again in a minute.",
    "es": "Lo sentimos, algo falló de nuestro lado. Por favor, escriba de nuevo en un minuto.",
}


def with_emergency(texts: dict[str, str], info: PublicInfo, language: str) -> str:
    """One of the texts above followed by the jurisdiction's 'in danger now, call 911' sentence."""
    return f"{texts.get(language, texts['en'])} {info.emergency_message(language)}"
