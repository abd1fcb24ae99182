"""ctreview: rule-based design review of counter-trafficking programme proposals."""

__version__ = "0.1.0"
