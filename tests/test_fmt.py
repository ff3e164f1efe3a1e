"""The one formatter: billions, levels and percentages."""

from gexlib import fmt


def test_bn():
    assert fmt.bn(15.314e9) == "+$15.31bn"
    assert fmt.bn(-1.2e9) == "-$1.20bn"
    assert fmt.bn(1.2e9, signed=False) == "$1.20bn"
    assert fmt.bn(0.0) == "+$0.00bn"
    assert fmt.bn(None) == "n/a"
    assert fmt.bn(1234.5e9, digits=1) == "+$1,234.5bn"


def test_level_and_pct():
    assert fmt.level(6254.871) == "6,254.87"
    assert fmt.level(None) == "none in range"
    assert fmt.pct(-0.0024) == "-0.24%" and fmt.pct(0.1, signed=False, digits=0) == "10%"
    assert fmt.level_vs_spot(4494.30, 4505.10) == "4,494.30  (-0.24% from spot)"
    assert fmt.level_vs_spot(None, 4505.10) == "none in range"
