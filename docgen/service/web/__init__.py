"""The pages of the county service: thin views over docgen.service.county."""
