Feature: Pakkeforløp psykiske lidelser – barn og unge (D12)
  Deadlines of the pathway for children and young people (domain reference, table 4.2), in calendar days unless
  stated:
    referral received → referral assessed:                                 10 working days (law, § 2-2)
    first attendance → clinical decision after basic assessment:          42
    clinical decision "CU" → clinical decision after extended assessment:  up to 42 more
    clinical decision for treatment (CP or CT) → first evaluation:        42
    between evaluations:                                                   84
  Apart from the referral assessment these come from hospital-trust sources, not from Helsedirektoratet, so they
  are flagged as unconfirmed until checked against the primary source. No difference between outpatient and
  inpatient care is given, so the same deadlines apply to both. The coordinator records the patient's age when
  assessing the referral (for the 65-day guarantee for patients under 23) and whether ADHD is suspected at the
  first attendance (see the ADHD and under-23 feature).

  Scenario: From referral to closure with a follow-up plan sent to the municipality
    Given an outpatient referral to "Pakkeforløp psykiske lidelser – barn og unge" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care, the patient being 14 years old
    And the patient attended for the first time on Monday 2026-01-12, with no suspicion of ADHD
    When the coordinator registered "Kartlegge somatisk helse og levevaner" on Monday 2026-01-19 with:
      | field                    | value |
      | somatic_follow_up_needed | false |
    And the clinical decision after basic assessment was "CP" on Monday 2026-02-09
    Then the "referral assessment" deadline is met
    And the "under 23 guarantee" deadline is met
    And the "assessment" deadline is met
    And the "first evaluation" deadline is due on Monday 2026-03-23
    When the treatment plan was made together with the patient on Monday 2026-02-09
    And the treatment was evaluated with the patient on Monday 2026-03-09, continuing treatment
    Then the "first evaluation" deadline is met
    And the "evaluation interval" deadline number 1 is due on Monday 2026-06-01
    When the treatment was evaluated with the patient on Monday 2026-05-25, deciding to close the pathway
    Then the "evaluation interval" deadline number 1 is met
    When the pathway was closed on Wednesday 2026-05-27 with a written follow-up plan to the municipality
    Then the pathway is completed
    And the pathway was closed on Wednesday 2026-05-27
    And the municipality was sent the follow-up plan naming "Kari Nordmann, koordinerende enhet"
    And the "evaluation interval" deadline number 2 is cancelled
    And no task is open

  Scenario: A referral without right to care ends the pathway, with no under-23 deadline
    Given an outpatient referral to "D12" was received on Monday 2026-01-05
    When the referral was assessed on Thursday 2026-01-08 with no right to care, the patient being 15 years old
    Then the pathway is completed
    And the pathway was closed on Thursday 2026-01-08
    And the "referral assessment" deadline is met
    And there is no "under 23 guarantee" deadline
    And there is no "assessment" deadline
    And no task is open
    And no follow-up plan was sent to the municipality

  Scenario: The referral assessment records the patient's age
    Given an outpatient referral to "D12" was received on Monday 2026-01-05
    When it is Wednesday 2026-01-07
    Then the referral cannot be assessed without the patient's age
    And the task "assess_referral" is open

  Scenario Outline: Referral assessment within 10 working days (law, not flagged)
    Given an <setting> referral to "D12" was received on Monday 2026-01-05
    When the referral was assessed on <assessed> with right to care, the patient being 12 years old
    Then the "referral assessment" deadline is due on Monday 2026-01-19
    And the "referral assessment" deadline is <status>
    And the "referral assessment" deadline is not flagged as unconfirmed
    And the task "first_attendance" is open

    Examples:
      | setting    | assessed           | status   |
      | outpatient | Friday 2026-01-09  | met      |
      | outpatient | Monday 2026-01-19  | met      |
      | outpatient | Tuesday 2026-01-20 | breached |
      | inpatient  | Monday 2026-01-19  | met      |
      | inpatient  | Tuesday 2026-01-20 | breached |

  Scenario: A referral not assessed in time is escalated to the unit lead the day after the deadline
    Given an outpatient referral to "D12" was received on Monday 2026-01-05
    When the scheduler runs on Tuesday 2026-01-20
    Then the "referral assessment" deadline is overdue
    And the task "follow_up_late_assessment" is open in the lane "Enhetsleder"

  Scenario Outline: Basic assessment within 42 days of the first attendance, the same for outpatients and inpatients
    Given an <setting> referral to "D12" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care, the patient being 10 years old
    And the patient attended for the first time on Monday 2026-01-12, with no suspicion of ADHD
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When the clinical decision after basic assessment was "CP" on <decided>
    Then the "assessment" deadline started on Monday 2026-01-12
    And the "assessment" deadline is due on Monday 2026-02-23
    And the "assessment" deadline ended on <decided>
    And the "assessment" deadline is <status>
    And the "assessment" deadline is flagged as unconfirmed

    Examples:
      | setting    | decided             | status   |
      | outpatient | Monday 2026-02-23   | met      |
      | outpatient | Tuesday 2026-02-24  | breached |
      | inpatient  | Monday 2026-02-23   | met      |
      | inpatient  | Tuesday 2026-02-24  | breached |

  Scenario Outline: Patient-deferred during assessment turns a late decision into "deferred", not "breached"
    Given an outpatient referral to "D12" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care, the patient being 10 years old
    And the patient attended for the first time on Monday 2026-01-12, with no suspicion of ADHD
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When the patient deferred ("pasientutsatt") was registered on Tuesday 2026-01-20
    And the clinical decision after basic assessment was "CP" on <decided>
    Then the "assessment" deadline is due on Monday 2026-02-23
    And the "assessment" deadline is <status>

    Examples:
      | decided              | status   |
      | Monday 2026-02-23    | met      |
      | Tuesday 2026-03-03   | deferred |

  Scenario Outline: Extended assessment: up to 42 more days from the decision "CU" to the second clinical decision
    Given an <setting> referral to "D12" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care, the patient being 16 years old
    And the patient attended for the first time on Monday 2026-01-12, with no suspicion of ADHD
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When the clinical decision after basic assessment was "CU" on Monday 2026-02-09
    Then the "assessment" deadline is met
    And the "extended assessment" deadline started on Monday 2026-02-09
    And the "extended assessment" deadline is due on Monday 2026-03-23
    And the "extended assessment" deadline is flagged as unconfirmed
    And the task "clinical_decision_extended" is open
    And there is no "first evaluation" deadline
    When the clinical decision after extended assessment was "CP" on <decided>
    Then the "extended assessment" deadline ended on <decided>
    And the "extended assessment" deadline is <status>
    And the "extended assessment" deadline has been measured once
    And the "assessment" deadline has been measured once
    And the "first evaluation" deadline started on <decided>
    And the task "plan_treatment" is open

    Examples:
      | setting    | decided             | status   |
      | outpatient | Monday 2026-03-23   | met      |
      | outpatient | Tuesday 2026-03-24  | breached |
      | inpatient  | Monday 2026-03-23   | met      |
      | inpatient  | Tuesday 2026-03-24  | breached |

  Scenario: There are at most two clinical decisions; an extended assessment can end with no further need
    Given an outpatient referral to "D12" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care, the patient being 16 years old
    And the patient attended for the first time on Monday 2026-01-12, with no suspicion of ADHD
    And somatic health and lifestyle were checked on Monday 2026-01-12
    And the clinical decision after basic assessment was "CU" on Monday 2026-02-09
    When it is Monday 2026-03-02
    Then the clinical decision after extended assessment cannot be "CU"
    When the clinical decision after extended assessment was "CI" on Monday 2026-03-02
    Then the "extended assessment" deadline is met
    And the task "close_pathway" is open
    And there is no "first evaluation" deadline
    When the coordinator registered "Avslutte pakkeforløpet" on Wednesday 2026-03-04 with outcome "other"
    Then the pathway is completed
    And no follow-up plan was sent to the municipality

  Scenario Outline: First evaluation within 42 days of a decision for treatment
    Given an <setting> referral to "D12" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care, the patient being 13 years old
    And the patient attended for the first time on Monday 2026-01-12, with no suspicion of ADHD
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When the clinical decision after basic assessment was "<decision>" on Monday 2026-02-09
    Then the "first evaluation" deadline started on Monday 2026-02-09
    And the "first evaluation" deadline is due on Monday 2026-03-23
    And the "first evaluation" deadline is flagged as unconfirmed
    When the treatment plan was made together with the patient on Wednesday 2026-02-11
    And the treatment was evaluated with the patient on <evaluated>, continuing treatment
    Then the "first evaluation" deadline ended on <evaluated>
    And the "first evaluation" deadline is <status>

    Examples:
      | setting    | decision | evaluated           | status   |
      | outpatient | CP       | Monday 2026-03-23   | met      |
      | outpatient | CP       | Tuesday 2026-03-24  | breached |
      | outpatient | CT       | Friday 2026-03-20   | met      |
      | inpatient  | CP       | Monday 2026-03-23   | met      |
      | inpatient  | CP       | Tuesday 2026-03-24  | breached |

  Scenario: A decision for other agencies goes to closure, with no evaluation deadline
    Given an outpatient referral to "D12" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care, the patient being 13 years old
    And the patient attended for the first time on Monday 2026-01-12, with no suspicion of ADHD
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When the clinical decision after basic assessment was "CA" on Monday 2026-02-02
    Then the task "close_pathway" is open
    And the task "plan_treatment" is not open
    And there is no "first evaluation" deadline
    When the pathway was closed on Wednesday 2026-02-04 with a written follow-up plan to the municipality
    Then the pathway is completed
    And the municipality was sent the follow-up plan naming "Kari Nordmann, koordinerende enhet"

  Scenario Outline: Evaluations at most 84 days apart, for outpatients and inpatients alike
    Given an <setting> referral to "D12" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care, the patient being 13 years old
    And the patient attended for the first time on Monday 2026-01-12, with no suspicion of ADHD
    And somatic health and lifestyle were checked on Monday 2026-01-12
    And the clinical decision after basic assessment was "CP" on Monday 2026-02-09
    And the treatment plan was made together with the patient on Monday 2026-02-09
    When the treatment was evaluated with the patient on Monday 2026-03-09, continuing treatment
    Then the "evaluation interval" deadline number 1 started on Monday 2026-03-09
    And the "evaluation interval" deadline number 1 is due on Monday 2026-06-01
    And the "evaluation interval" deadline is flagged as unconfirmed
    When the treatment was evaluated with the patient on <second>, continuing treatment
    Then the "evaluation interval" deadline number 1 is <status>
    And the "evaluation interval" deadline number 2 started on <second>
    And the "evaluation interval" deadline has been measured 2 times
    And the "first evaluation" deadline has been measured once
    And the pathway catalogue flags "deadline_sources" as unconfirmed

    Examples:
      | setting    | second              | status   |
      | outpatient | Monday 2026-06-01   | met      |
      | outpatient | Tuesday 2026-06-02  | breached |
      | inpatient  | Monday 2026-06-01   | met      |
      | inpatient  | Tuesday 2026-06-02  | breached |

  Scenario Outline: The pathway start date depends on the rule set
    In the 2019 rules the pathway starts when the referral is received; in the revised 2024 rules it starts when
    the referral assessment is completed with right to care.

    Given an outpatient referral to "D12" was received on Monday 2026-01-05 under the <rules> rules
    When the referral was assessed on Wednesday 2026-01-14 with right to care, the patient being 9 years old
    Then the pathway runs under the <rules> rules
    And the pathway start date is <start>

    Examples:
      | rules | start                |
      | 2019  | Monday 2026-01-05    |
      | 2024  | Wednesday 2026-01-14 |

  Scenario: Without a rule set the pathway runs under the 2019 rules
    Given an outpatient referral to "D12" was received on Monday 2026-01-05
    Then the pathway runs under the 2019 rules
    And the pathway start date is Monday 2026-01-05

  Scenario: Under the 2024 rules a rejected referral never starts a pathway
    Given an outpatient referral to "D12" was received on Monday 2026-01-05 under the 2024 rules
    When the referral was assessed on Wednesday 2026-01-07 with no right to care, the patient being 9 years old
    Then the pathway is completed
    And the pathway has no start date
