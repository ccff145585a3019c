Feature: Treatment deadlines: detoxification, first evaluation and evaluations ("behandling og evaluering")
  TSB deadlines after the clinical decision, in calendar days:
    completed detoxification → treatment starts:          outpatient 3, inpatient 0 (the same day)
    clinical decision (treatment, CT or CP) → first evaluation: 7 for both
    between evaluations:                                  outpatient 56, inpatient 42
  A deadline still open when the pathway is closed is "cancelled": it is not counted for or against the unit.

  Scenario Outline: Treatment starts after completed detoxification
    Given an <setting> TSB referral was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    And the clinical decision after basic assessment was "CT" on Monday 2026-01-19
    And the treatment plan was made with the patient on Monday 2026-01-19, starting with detoxification
    When detoxification was completed on Tuesday 2026-01-20
    Then the "detoxification to treatment" deadline is due on <due>
    And the "detoxification to treatment" deadline is pending
    When treatment started on <started>
    Then the "detoxification to treatment" deadline ended on <started>
    And the "detoxification to treatment" deadline is <status>

    Examples: Outpatient: within 3 days
      | setting    | due                | started             | status   |
      | outpatient | Friday 2026-01-23  | Friday 2026-01-23   | met      |
      | outpatient | Friday 2026-01-23  | Saturday 2026-01-24 | breached |

    Examples: Inpatient: the same day
      | setting   | due                 | started              | status   |
      | inpatient | Tuesday 2026-01-20  | Tuesday 2026-01-20   | met      |
      | inpatient | Tuesday 2026-01-20  | Wednesday 2026-01-21 | breached |

  Scenario: No detoxification, no detoxification deadline
    Given an outpatient TSB referral was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    And the clinical decision after basic assessment was "CT" on Monday 2026-01-19
    When the treatment plan was made with the patient on Monday 2026-01-19, without detoxification
    Then the task "treatment_started" is open
    And the task "detoxification_completed" is not open
    And there is no "detoxification to treatment" deadline

  Scenario Outline: First evaluation within 7 days of a decision for treatment
    Given an <setting> TSB referral was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When the clinical decision after basic assessment was "<decision>" on Monday 2026-01-26
    Then the "first evaluation" deadline started on Monday 2026-01-26
    And the "first evaluation" deadline is due on Monday 2026-02-02
    When the treatment plan was made with the patient on Monday 2026-01-26, without detoxification
    And treatment started on Tuesday 2026-01-27
    And the treatment was evaluated with the patient on <evaluated>, continuing treatment
    Then the "first evaluation" deadline ended on <evaluated>
    And the "first evaluation" deadline is <status>

    Examples:
      | setting    | decision | evaluated           | status   |
      | outpatient | CT       | Monday 2026-02-02   | met      |
      | outpatient | CT       | Tuesday 2026-02-03  | breached |
      | outpatient | CP       | Friday 2026-01-30   | met      |
      | inpatient  | CT       | Monday 2026-02-02   | met      |
      | inpatient  | CT       | Tuesday 2026-02-03  | breached |

  Scenario Outline: A decision for GP or municipal services goes to closure, with no evaluation deadline
    Given an <setting> TSB referral was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When the clinical decision after basic assessment was "CK" on Monday 2026-01-19
    Then the task "close_pathway" is open
    And the task "plan_treatment" is not open
    And there is no "first evaluation (outpatient)" deadline
    And there is no "first evaluation (inpatient)" deadline
    And the "assessment" deadline is met
    When the pathway was closed on Wednesday 2026-01-21 with follow-up in the municipality
    Then the pathway is completed
    And there is no "first evaluation" deadline
    And there is no "evaluation interval" deadline

    Examples:
      | setting    |
      | outpatient |
      | inpatient  |

  Scenario Outline: Time between evaluations
    Given an <setting> TSB referral was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    And the clinical decision after basic assessment was "CT" on Monday 2026-01-26
    And the treatment plan was made with the patient on Monday 2026-01-26, without detoxification
    And treatment started on Tuesday 2026-01-27
    When the treatment was evaluated with the patient on Monday 2026-02-02, continuing treatment
    Then the "first evaluation" deadline is met
    And the "evaluation interval" deadline number 1 started on Monday 2026-02-02
    And the "evaluation interval" deadline number 1 is due on <due>
    When the treatment was evaluated with the patient on <second>, continuing treatment
    Then the "evaluation interval" deadline number 1 is <status>
    And the "evaluation interval" deadline number 2 started on <second>
    And the "evaluation interval" deadline number 2 is pending
    And the "evaluation interval" deadline has been measured 2 times
    And the "first evaluation" deadline has been measured once

    Examples: Outpatient: 56 days
      | setting    | due               | second              | status   |
      | outpatient | Monday 2026-03-30 | Monday 2026-03-30   | met      |
      | outpatient | Monday 2026-03-30 | Tuesday 2026-03-31  | breached |

    Examples: Inpatient: 42 days
      | setting    | due               | second              | status   |
      | inpatient  | Monday 2026-03-16 | Monday 2026-03-16   | met      |
      | inpatient  | Monday 2026-03-16 | Tuesday 2026-03-17  | breached |

  Scenario: The evaluation interval still open when the pathway is closed is cancelled
    Given an outpatient TSB referral was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    And the clinical decision after basic assessment was "CT" on Monday 2026-01-26
    And the treatment plan was made with the patient on Monday 2026-01-26, without detoxification
    And treatment started on Tuesday 2026-01-27
    And the treatment was evaluated with the patient on Monday 2026-02-02, continuing treatment
    When the treatment was evaluated with the patient on Tuesday 2026-03-31, deciding to close the pathway
    Then the "evaluation interval" deadline number 1 is breached
    And the "evaluation interval" deadline number 2 is due on Tuesday 2026-05-26
    And the "evaluation interval" deadline number 2 is pending
    And the task "close_pathway" is open
    When the pathway was closed on Wednesday 2026-04-01 with follow-up in the municipality
    Then the pathway is completed
    And the pathway was closed on Wednesday 2026-04-01
    And the "evaluation interval" deadline number 2 is cancelled
    And the "evaluation interval" deadline number 1 is breached
    And the "first evaluation" deadline is met
    And the "assessment" deadline is met
    And the "referral assessment" deadline is met
    And no task is open
    When it is Wednesday 2026-06-03
    Then the "evaluation interval" deadline number 2 is cancelled

  Scenario: Time between evaluations is measured in the first year of treatment only
    The TSB table's interval between evaluations applies in the first year of treatment: an evaluation more than
    12 months after the registered start of treatment opens no new interval.
    Given an outpatient TSB referral was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    And the clinical decision after basic assessment was "CT" on Monday 2026-01-26
    And the treatment plan was made with the patient on Monday 2026-01-26, without detoxification
    And treatment started on Tuesday 2026-01-27
    And the treatment was evaluated with the patient on Monday 2026-02-02, continuing treatment
    When the treatment was evaluated with the patient on Tuesday 2027-01-26, continuing treatment
    Then the "evaluation interval" deadline number 2 started on Tuesday 2027-01-26
    When the treatment was evaluated with the patient on Wednesday 2027-01-27, continuing treatment
    Then the "evaluation interval" deadline number 2 is met
    And the "evaluation interval" deadline has been measured 2 times

  Scenario: A corrected evaluation date decides whether it falls in the first year of treatment
    Given an outpatient TSB referral was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    And the clinical decision after basic assessment was "CT" on Monday 2026-01-26
    And the treatment plan was made with the patient on Monday 2026-01-26, without detoxification
    And treatment started on Tuesday 2026-01-27
    And the treatment was evaluated with the patient on Monday 2026-02-02, continuing treatment
    And the treatment was evaluated with the patient on Wednesday 2027-01-27, continuing treatment
    Then the "evaluation interval" deadline has been measured once
    When the last evaluation is corrected to Tuesday 2027-01-26 because "feil dato"
    Then the "evaluation interval" deadline has been measured 2 times
    And the "evaluation interval" deadline number 2 started on Tuesday 2027-01-26
