"""The calibrated court simulator behind ``zhixing simulate`` (demo data, tests, benchmarks).

``generator.simulate`` writes a case bundle and a labels file; ``faults.FaultRates`` sets
the lapses it plants; ``calibration`` holds the published figures it is calibrated to.
"""

from zhixing.simulate.faults import FaultRates
from zhixing.simulate.generator import SimulationSummary, court_names, simulate

__all__ = ["FaultRates", "SimulationSummary", "court_names", "simulate"]
