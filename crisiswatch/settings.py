"""thresholds.yaml, loaded and checked as a whole before anything starts."""

from __future__ import annotations

from dataclasses import dataclass

from config.detection import parse_detection
from config.values import duration, known_keys, number, text
from config.yaml_lines import LocatedYaml, load_yaml
from detectors.params import LadderParams
from escalation.plan import EscalationPlan, parse_escalation
from stream.classify import Classifier, build_classifier

SECTIONS = {"detection", "privacy", "escalation", "topics", "classifier"}


@dataclass(frozen=True)
class Privacy:
    pseudonym_key_env: str = "CRISISWATCH_PSEUDONYM_KEY"
    samples_per_topic: int = 200
    sample_retention_s: float = 7 * 86400


@dataclass
class Settings:
    doc: LocatedYaml
    classifier: Classifier
    detection: dict[str, LadderParams]
    plan: EscalationPlan
    privacy: Privacy

    @property
    def path(self) -> str:
        return self.doc.path

    def topics_json(self) -> list[dict[str, object]]:
        """What the wall needs to know about each topic."""
        return [
            {
                "name": name,
                "label": self.classifier.labels.get(name, name),
                "priority": self.detection[name].priority,
            }
            for name in self.classifier.topics
        ]


def _privacy(doc: LocatedYaml) -> Privacy:
    known_keys(doc, ("privacy",), {"pseudonym_key_env", "samples_per_topic", "sample_retention"})
    base = Privacy()
    return Privacy(
        pseudonym_key_env=text(doc, ("privacy", "pseudonym_key_env"), base.pseudonym_key_env),
        samples_per_topic=int(
            number(doc, ("privacy", "samples_per_topic"), base.samples_per_topic, minimum=0, integer=True)
        ),
        sample_retention_s=duration(doc, ("privacy", "sample_retention"), base.sample_retention_s),
    )


def load_settings(path: str, text_override: str | None = None) -> Settings:
    """Parse and validate every section; the first problem raises a located ``ConfigError``."""
    doc = load_yaml(path, text_override)
    known_keys(doc, (), SECTIONS)
    if "topics" not in doc.data:
        raise doc.error((), "no topics: section; define at least one topic with a query")
    classifier = build_classifier(doc)
    detection = parse_detection(doc, classifier.topics)
    plan = parse_escalation(doc, classifier.topics)
    return Settings(doc, classifier, detection, plan, _privacy(doc))
