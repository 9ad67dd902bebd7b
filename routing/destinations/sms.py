"""SMS through the official twilio SDK, async (Messages API, 2010-04-01)."""

from __future__ import annotations

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from routing.destinations.base import DeliveryError, Sent

# Twilio's limit on a message body.
MAX_BODY = 1600


class SmsSender:
    def __init__(self, account_sid: str, auth_token: str, sender: str, api_url: str | None = None) -> None:
        self._http = AsyncTwilioHttpClient(timeout=15)
        # environment={}: the SDK would otherwise read TWILIO_* variables itself.
        self._client = Client(account_sid, auth_token, http_client=self._http, environment={})
        if api_url:
            self._client.api.base_url = api_url
        self._sender = sender

    async def send(self, to: str, body: str) -> Sent:
        if len(body) > MAX_BODY:
            raise DeliveryError(f"body of {len(body)} characters is over Twilio's {MAX_BODY}", permanent=True)
        try:
            message = await self._client.messages.create_async(to=to, from_=self._sender, body=body)
        except TwilioRestException as e:
            permanent = 400 <= e.status < 500 and e.status != 429
            raise DeliveryError(f"Twilio {e.status} {e.code}: {e.msg}"[:300], permanent=permanent) from None
        except (TwilioException, OSError, TimeoutError) as e:
            raise DeliveryError(f"{type(e).__name__}: {e}"[:300]) from None
        return Sent(f"Twilio {message.status}", message.sid)

    async def close(self) -> None:
        await self._http.close()
