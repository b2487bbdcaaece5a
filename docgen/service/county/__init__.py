"""The county's shared data: units, cases (the JSON the case schema describes) and the 文号 register."""
