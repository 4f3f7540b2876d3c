"""Validation of the typed tables (cape_study.data.validation): what it imports."""

import subprocess
import sys


def test_validation_does_not_import_hypothesis():
    # pandera's checks import its data-generating strategies, and so hypothesis when it
    # is installed (about 1 s of intake); validation never needs it, and still finds
    # what it finds; hypothesis stays importable afterwards
    code = (
        "import sys, pandas as pd\n"
        "from cape_study.data import validation\n"
        "validation._checks_without_hypothesis()\n"
        "import pandera.pandas as pa\n"
        "schema = pa.DataFrameSchema({'n': pa.Column(int, pa.Check.ge(0))})\n"
        "try:\n"
        "    schema.validate(pd.DataFrame({'n': [1, -1]}), lazy=True)\n"
        "except pa.errors.SchemaErrors as exc:\n"
        "    print(len(exc.failure_cases))\n"
        "print('hypothesis' in sys.modules)\n"
        "import hypothesis\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "False"]
