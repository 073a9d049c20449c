"""Exercise checkers, one module per chapter. Each prints feedback and returns a truthy/falsy `Verdict`."""
from .feedback import Verdict

__all__ = ["Verdict"]
