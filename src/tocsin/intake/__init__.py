"""Intake: turning files, directories and standard input into Documents.

Every reader follows the same contract: it yields ``Document`` objects for good records and
``InputError`` objects (not raised) for bad ones, naming the file, line and field, so that one
bad record never costs the good ones around it. Callers decide what an error means (``--strict``
makes the first one fatal).
"""

from tocsin.intake.readers import FORMATS, INPUT_FORMATS, ReadOptions, read_inputs

__all__ = ["FORMATS", "INPUT_FORMATS", "ReadOptions", "read_inputs"]
