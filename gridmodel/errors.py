"""Exception tree. Every user-facing error names the file, the key and the expected unit."""


class GridmodelError(Exception):
    """Base of all errors the CLI reports without a traceback (exit code 2)."""

    exit_code = 2


class InputError(GridmodelError):
    """A user input is wrong: names where (file, key) and what was expected."""

    def __init__(self, file, key: str, problem: str, expected: str = ""):
        self.file, self.key, self.problem, self.expected = str(file), key, problem, expected
        text = f"{self.file}: {key}: {problem}"
        if expected:
            text += f" (expected {expected})"
        super().__init__(text)


class CaseError(InputError):
    """A case file (TOML) is invalid."""


class NetworkError(InputError):
    """The pandapower network holds something the adapter cannot represent."""


class ProfileError(InputError):
    """A profile file lacks a series or has wrong units/times."""


class SolverError(GridmodelError):
    """The solver failed to return any usable solution."""


class OutputExistsError(GridmodelError):
    """A run folder exists and --force was not given."""
