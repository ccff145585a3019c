"""What-if simulation of deadline compliance: "if we lose 20 % of assessment capacity, what share still meets the
deadline?"

A scenario file (`scenario`: referrals per week, capacity per step, step delays as distributions, no-show and
patient-deferred shares, outcome shares) is run as a discrete-event model in SimPy (`model`), whose patients walk
the deployed BPMN definitions in SpiffWorkflow in memory (`driver`), measured by the real deadline rules
(`engine.deadlines.measurement`) on the Norwegian working-day calendar and a virtual clock. Replications run in
parallel processes (`runner`); `results` sums them up per indicator, unit and tertial (median and 10th–90th
percentile). `calibrate` estimates a scenario from the registered measuring points of the database, which it only
reads. Nothing here writes to the database.
"""
