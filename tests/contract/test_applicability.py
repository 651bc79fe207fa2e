"""Every (scenario, server kind) pair is either run or listed as not applicable, with why.

The check reads the parametrisation pytest really uses (the ``kind`` values on each
scenario's ``parametrize`` mark), so a scenario that silently drops a server, a stale
entry in ``NOT_APPLICABLE`` or a pair that is both run and excused fails here. The table
is printed so a run with ``-s`` shows what is not covered and why.
"""

from __future__ import annotations

from tests.contract import test_basics, test_faults, test_fidelity, test_review
from tests.contract.drivers import KINDS
from tests.contract.scenarios import NOT_APPLICABLE, SCENARIOS

MODULES = (test_basics, test_faults, test_fidelity, test_review)


def _generated() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for module in MODULES:
        for value in vars(module).values():
            marks = getattr(value, "pytestmark", [])
            names = [m.args[0] for m in marks if m.name == "contract"]
            if not names:
                continue
            kinds = {k for m in marks if m.name == "parametrize" for k in m.args[1]}
            out[names[0]] = kinds
    return out


def test_every_pair_is_run_or_explained() -> None:
    generated = _generated()
    assert set(generated) == set(SCENARIOS), "a scenario is registered but not collected"
    assert len(generated) >= 25, f"only {len(generated)} scenarios"
    for (scenario, kind), reason in NOT_APPLICABLE.items():
        assert scenario in SCENARIOS, f"NOT_APPLICABLE names an unknown scenario {scenario!r}"
        assert kind in KINDS, f"NOT_APPLICABLE names an unknown kind {kind!r}"
        assert len(reason) > 20, f"({scenario}, {kind}) needs a real reason"
    for scenario, kinds in generated.items():
        assert kinds, f"{scenario} runs against no server"
        for kind in KINDS:
            excused = (scenario, kind) in NOT_APPLICABLE
            assert (kind in kinds) != excused, (
                f"({scenario}, {kind}) is {'both run and excused' if excused else 'neither'}"
            )
    width = max(len(s) for s, _ in NOT_APPLICABLE) + 2
    print(f"\n{len(generated)} scenarios x {len(KINDS)} servers; not applicable:")
    for (scenario, kind), reason in sorted(NOT_APPLICABLE.items()):
        print(f"  {scenario:<{width}}{kind:<14}{reason}")
