"""verzuimdsl: Dutch school-absence protocols as source code.

>>> import verzuimdsl
>>> protocol = verzuimdsl.load("protocols/parkstad.vz")
>>> verzuimdsl.check_source('protocol x "X" { }')
[]
"""

from .check import CheckResult, check_file, check_source, load
from .diagnostics import Diagnostic, DiagnosticError
from .protocol import Protocol
from .severity import Severity

__all__ = [
    "CheckResult",
    "Diagnostic",
    "DiagnosticError",
    "Protocol",
    "Severity",
    "check_file",
    "check_source",
    "load",
]
__version__ = "0.1.0"
