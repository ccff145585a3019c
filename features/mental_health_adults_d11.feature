Feature: Pakkeforløp psykiske lidelser – voksne (D11)
  Deadlines of the adult mental health pathway (domain reference, table 4.1), in calendar days unless stated:
    referral received → referral assessed:                                 10 working days (law, § 2-2)
    first attendance → clinical decision after basic assessment:          42 (UNCONFIRMED), outpatient and inpatient
    clinical decision "CU" → clinical decision after extended assessment:  a further 42 (UNCONFIRMED)
    clinical decision for treatment (CP or CT) → first evaluation:        42 (UNCONFIRMED), outpatient and inpatient
    between evaluations:                                                   84 for outpatients (UNCONFIRMED); no
                                                                           deadline is given for inpatients
  Unconfirmed deadlines are flagged wherever they are shown. The extended assessment is measured as a deadline of
  its own, so the basic assessment keeps its own result. Somatic health and lifestyle are checked alongside the
  basic assessment. At closure with a need for follow-up, the written follow-up plan goes to the municipality.

  Scenario: From referral to closure with a follow-up plan sent to the municipality
    Given an outpatient referral to "Pakkeforløp psykiske lidelser – voksne" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    When the coordinator registered "Kartlegge somatisk helse og levevaner" on Monday 2026-01-19 with:
      | field                    | value |
      | somatic_follow_up_needed | true  |
    And the clinical decision after basic assessment was "CP" on Monday 2026-02-09
    Then the "referral assessment" deadline is met
    And the "assessment" deadline is met
    And the "first evaluation" deadline is due on Monday 2026-03-23
    And the task "plan_treatment" is open
    When the treatment plan was made together with the patient on Monday 2026-02-09
    And the treatment was evaluated with the patient on Monday 2026-03-09, continuing treatment
    Then the "first evaluation" deadline is met
    And the "evaluation interval" deadline number 1 is due on Monday 2026-06-01
    When the treatment was evaluated with the patient on Monday 2026-05-25, deciding to close the pathway
    Then the "evaluation interval" deadline number 1 is met
    And the task "close_pathway" is open
    When the pathway was closed on Wednesday 2026-05-27 with a written follow-up plan to the municipality
    Then the pathway is completed
    And the pathway was closed on Wednesday 2026-05-27
    And the municipality was sent the follow-up plan naming "Kari Nordmann, koordinerende enhet"
    And the "evaluation interval" deadline number 2 is cancelled
    And no task is open

  Scenario: A referral without right to care ends the pathway
    Given an outpatient referral to "D11" was received on Monday 2026-01-05
    When the referral was assessed on Thursday 2026-01-08 with no right to care
    Then the pathway is completed
    And the pathway was closed on Thursday 2026-01-08
    And the "referral assessment" deadline is met
    And there is no "assessment" deadline
    And no task is open
    And no follow-up plan was sent to the municipality

  Scenario Outline: Referral assessment within 10 working days (law, not flagged)
    Given an <setting> referral to "D11" was received on Monday 2026-01-05
    When the referral was assessed on <assessed> with right to care
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
    Given an outpatient referral to "D11" was received on Monday 2026-01-05
    When the scheduler runs on Monday 2026-01-19
    Then the task "follow_up_late_assessment" is not open
    When the scheduler runs on Tuesday 2026-01-20
    Then the "referral assessment" deadline is overdue
    And the task "follow_up_late_assessment" is open in the lane "Enhetsleder"
    When the referral was assessed on Wednesday 2026-01-21 with right to care
    Then the "referral assessment" deadline is breached
    And the task "first_attendance" is open

  Scenario Outline: Basic assessment within 42 days of the first attendance, the same for outpatients and inpatients
    Given an <setting> referral to "D11" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
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

  Scenario: An assessment without a decision after 42 days is overdue
    Given an outpatient referral to "D11" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    When it is Monday 2026-02-23
    Then the "assessment" deadline is pending
    And the task list shows "clinical_decision_basic" due on Monday 2026-02-23, not overdue
    When it is Tuesday 2026-02-24
    Then the "assessment" deadline is overdue
    And the task list shows "clinical_decision_basic" as overdue, due on Monday 2026-02-23

  Scenario Outline: Patient-deferred during assessment turns a late decision into "deferred", not "breached"
    Given an outpatient referral to "D11" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When the patient deferred ("pasientutsatt") was registered on Tuesday 2026-01-20
    And the clinical decision after basic assessment was "CP" on <decided>
    Then the "assessment" deadline is due on Monday 2026-02-23
    And the "assessment" deadline is <status>

    Examples:
      | decided              | status   |
      | Monday 2026-02-23    | met      |
      | Tuesday 2026-03-03   | deferred |

  Scenario Outline: Extended assessment: a further 42 days from the decision "CU" to the second clinical decision
    Given an <setting> referral to "D11" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When the clinical decision after basic assessment was "CU" on Monday 2026-02-09
    Then the "assessment" deadline ended on Monday 2026-02-09
    And the "assessment" deadline is met
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
    And the "assessment" deadline is met
    And the "first evaluation" deadline started on <decided>
    And the task "plan_treatment" is open

    Examples:
      | setting    | decided             | status   |
      | outpatient | Monday 2026-03-23   | met      |
      | outpatient | Tuesday 2026-03-24  | breached |
      | inpatient  | Monday 2026-03-23   | met      |
      | inpatient  | Tuesday 2026-03-24  | breached |

  Scenario: There are at most two clinical decisions; an extended assessment can end in municipal services
    Given an outpatient referral to "D11" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    And the clinical decision after basic assessment was "CU" on Monday 2026-02-09
    When it is Monday 2026-03-02
    Then the clinical decision after extended assessment cannot be "CU"
    When the clinical decision after extended assessment was "CK" on Monday 2026-03-02
    Then the "extended assessment" deadline is met
    And the task "close_pathway" is open
    And the task "plan_treatment" is not open
    And there is no "first evaluation" deadline
    When the coordinator registered "Avslutte pakkeforløpet" on Wednesday 2026-03-04 with outcome "other"
    Then the pathway is completed
    And no follow-up plan was sent to the municipality

  Scenario Outline: First evaluation within 42 days of a decision for treatment
    Given an <setting> referral to "D11" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
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

  Scenario: A decision for GP or municipal services goes to closure, with no evaluation deadline
    Given an outpatient referral to "D11" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When the clinical decision after basic assessment was "CK" on Monday 2026-02-02
    Then the task "close_pathway" is open
    And the task "plan_treatment" is not open
    And there is no "first evaluation" deadline
    And the "assessment" deadline is met
    When the pathway was closed on Wednesday 2026-02-04 with a written follow-up plan to the municipality
    Then the pathway is completed
    And the municipality was sent the follow-up plan naming "Kari Nordmann, koordinerende enhet"

  Scenario Outline: Outpatient evaluations at most 84 days apart
    Given an outpatient referral to "D11" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
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
    And the "evaluation interval" deadline number 2 is pending
    And the "evaluation interval" deadline has been measured 2 times
    And the "first evaluation" deadline has been measured once

    Examples:
      | second              | status   |
      | Monday 2026-06-01   | met      |
      | Tuesday 2026-06-02  | breached |

  Scenario: Inpatients have no deadline between evaluations (none is given; flagged as unconfirmed)
    Given an inpatient referral to "D11" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    And the clinical decision after basic assessment was "CP" on Monday 2026-02-09
    And the treatment plan was made together with the patient on Monday 2026-02-09
    When the treatment was evaluated with the patient on Monday 2026-03-09, continuing treatment
    And the treatment was evaluated with the patient on Tuesday 2026-06-02, continuing treatment
    Then the "first evaluation" deadline is met
    And the "first evaluation" deadline has been measured once
    And there is no "evaluation interval (outpatient)" deadline
    And the pathway catalogue flags "inpatient_deadlines" as unconfirmed

  Scenario Outline: The pathway start date depends on the rule set
    In the 2019 rules the pathway starts when the referral is received; in the revised 2024 rules it starts when
    the referral assessment is completed with right to care.

    Given an outpatient referral to "D11" was received on Monday 2026-01-05 under the <rules> rules
    When the referral was assessed on Wednesday 2026-01-14 with right to care
    Then the pathway runs under the <rules> rules
    And the pathway start date is <start>
    And the "referral assessment" deadline started on Monday 2026-01-05

    Examples:
      | rules | start                |
      | 2019  | Monday 2026-01-05    |
      | 2024  | Wednesday 2026-01-14 |

  Scenario: Without a rule set the pathway runs under the 2019 rules
    Given an outpatient referral to "D11" was received on Monday 2026-01-05
    Then the pathway runs under the 2019 rules
    And the pathway start date is Monday 2026-01-05

  Scenario: Under the 2024 rules a rejected referral never starts a pathway
    Given an outpatient referral to "D11" was received on Monday 2026-01-05 under the 2024 rules
    Then the pathway has no start date
    When the referral was assessed on Wednesday 2026-01-07 with no right to care
    Then the pathway is completed
    And the pathway has no start date
