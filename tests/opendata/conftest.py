# The Leipzig demo plan, loaded once per module (the progress tests' fixtures).
from tests.progress.conftest import leipzig, leipzig_pk  # noqa: F401
