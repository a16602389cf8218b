"""One module per receiver type; ``build_receiver`` picks the class for a configured receiver."""

from __future__ import annotations

from escalation.plan import ReceiverConfig
from escalation.receivers.base import DeliveryError, Http, Receiver
from escalation.receivers.console import ConsoleReceiver
from escalation.receivers.email import EmailReceiver
from escalation.receivers.opsgenie import OpsgenieReceiver
from escalation.receivers.pagerduty import PagerDutyReceiver
from escalation.receivers.slack import SlackReceiver
from escalation.receivers.webhook import WebhookReceiver

TYPES: dict[str, type[Receiver]] = {
    "console": ConsoleReceiver,
    "pagerduty": PagerDutyReceiver,
    "opsgenie": OpsgenieReceiver,
    "slack": SlackReceiver,
    "webhook": WebhookReceiver,
    "email": EmailReceiver,
}


def build_receiver(config: ReceiverConfig, http: Http) -> Receiver:
    return TYPES[config.type](config, http)


__all__ = ["DeliveryError", "Http", "Receiver", "build_receiver", "TYPES"]
