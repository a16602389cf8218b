"""Loading and validating thresholds.yaml: every error names the file, the line and the fix."""

from config.errors import ConfigError
from config.yaml_lines import LocatedYaml, load_yaml

__all__ = ["ConfigError", "LocatedYaml", "load_yaml"]
