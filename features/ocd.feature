Feature: Pakkeforløp tvangslidelse (OCD)
  The local DPS or BUP assesses the referral and sends a transfer ("overføring / intern henvisning") to the OCD
  team; this pathway starts when the OCD team receives it. Deadlines (domain reference, table 4.5, verified at
  helsedirektoratet.no "Forløpstider – tvangslidelse"), in calendar days unless stated:
    referral received → referral assessed:                             10 working days (law, § 2-2)
    referral received at the OCD team → first attendance:             up to 42 (6 weeks), outpatient and inpatient
    first attendance → clinical decision:                             up to 56 (8 weeks), outpatient and inpatient
    clinical decision for treatment (CP or CT) → first evaluation:    42 (UNCONFIRMED, as for D11/D12)
    between evaluations:                                               84 (UNCONFIRMED, as for D11/D12)
  The evaluation cadence is not given in the deadline table: it is flagged wherever it is shown, and so is the
  pathway's type code, which is left out. Somatic health and lifestyle are checked alongside the assessment. At
  closure with a need for follow-up, the written follow-up plan goes to the municipality.

  Scenario: From the OCD team's referral to closure with a follow-up plan sent to the municipality
    Given an outpatient referral to "Pakkeforløp tvangslidelse (OCD)" was received on Monday 2026-01-05
    When the referral was assessed on Wednesday 2026-01-07 with right to care
    Then the "first attendance" deadline is due on Monday 2026-02-16
    And the task list shows "first_attendance" due on Monday 2026-02-16, not overdue
    When the patient attended for the first time on Monday 2026-02-02
    And the coordinator registered "Kartlegge somatisk helse og levevaner" on Monday 2026-02-02 with:
      | field                    | value |
      | somatic_follow_up_needed | false |
    Then the "first attendance" deadline is met
    And the "assessment" deadline is due on Monday 2026-03-30
    When the clinical decision after basic assessment was "CP" on Monday 2026-03-16
    Then the "referral assessment" deadline is met
    And the "assessment" deadline is met
    And the "first evaluation" deadline is due on Monday 2026-04-27
    And the task "plan_treatment" is open
    When the treatment plan was made together with the patient on Monday 2026-03-16
    And the treatment was evaluated with the patient on Monday 2026-04-20, continuing treatment
    Then the "first evaluation" deadline is met
    And the "evaluation interval" deadline number 1 is due on Monday 2026-07-13
    When the treatment was evaluated with the patient on Monday 2026-06-29, deciding to close the pathway
    Then the "evaluation interval" deadline number 1 is met
    And the task "close_pathway" is open
    When the pathway was closed on Wednesday 2026-07-01 with a written follow-up plan to the municipality
    Then the pathway is completed
    And the pathway was closed on Wednesday 2026-07-01
    And the municipality was sent the follow-up plan:
      | field                   | value                                     |
      | municipal_contact       | Kari Nordmann, koordinerende enhet        |
      | follow_up_plan_sent     | true                                      |
      | risk_information_shared | true                                      |
      | where_to_turn           | Fastlegen og behandleren ved DPS          |
    And the "evaluation interval" deadline number 2 is cancelled
    And no task is open

  Scenario: A referral without right to care ends the pathway
    Given an outpatient referral to "ocd" was received on Monday 2026-01-05
    When the referral was assessed on Thursday 2026-01-08 with no right to care
    Then the pathway is completed
    And the pathway was closed on Thursday 2026-01-08
    And the "referral assessment" deadline is met
    And the "first attendance" deadline is cancelled
    And there is no "assessment" deadline
    And no task is open
    And no follow-up plan was sent to the municipality

  Scenario Outline: Referral assessment within 10 working days (law, not flagged)
    Given an <setting> referral to "ocd" was received on Monday 2026-01-05
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
    Given an outpatient referral to "ocd" was received on Monday 2026-01-05
    When the scheduler runs on Monday 2026-01-19
    Then the task "follow_up_late_assessment" is not open
    When the scheduler runs on Tuesday 2026-01-20
    Then the "referral assessment" deadline is overdue
    And the task "follow_up_late_assessment" is open in the lane "Enhetsleder"
    When the referral was assessed on Wednesday 2026-01-21 with right to care
    Then the "referral assessment" deadline is breached
    And the task "first_attendance" is open

  Scenario Outline: First attendance within 42 days of the OCD team receiving the referral, outpatient and inpatient
    Given an <setting> referral to "ocd" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    When the patient attended for the first time on <attended>
    Then the "first attendance" deadline started on Monday 2026-01-05
    And the "first attendance" deadline is due on Monday 2026-02-16
    And the "first attendance" deadline ended on <attended>
    And the "first attendance" deadline is <status>
    And the "first attendance" deadline is not flagged as unconfirmed
    And the "assessment" deadline started on <attended>

    Examples:
      | setting    | attended           | status   |
      | outpatient | Monday 2026-01-26  | met      |
      | outpatient | Monday 2026-02-16  | met      |
      | outpatient | Tuesday 2026-02-17 | breached |
      | inpatient  | Monday 2026-02-16  | met      |
      | inpatient  | Tuesday 2026-02-17 | breached |

  Scenario: A first attendance still not registered after 42 days is overdue in the task list
    Given an outpatient referral to "ocd" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    When it is Monday 2026-02-16
    Then the "first attendance" deadline is pending
    And the task list shows "first_attendance" due on Monday 2026-02-16, not overdue
    When it is Tuesday 2026-02-17
    Then the "first attendance" deadline is overdue
    And the task list shows "first_attendance" as overdue, due on Monday 2026-02-16

  Scenario: The first attendance cannot be patient-deferred: the rule covers the assessment and the evaluations
    Given an outpatient referral to "ocd" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    Then registering patient-deferred on Monday 2026-02-09 for 10 working days is refused with "no_deferrable_deadline"
    When the patient attended for the first time on Tuesday 2026-02-24
    Then the "first attendance" deadline is due on Monday 2026-02-16
    And the "first attendance" deadline is breached

  Scenario Outline: Assessment: clinical decision within 56 days of the first attendance, outpatient and inpatient
    Given an <setting> referral to "ocd" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When the clinical decision after basic assessment was "CP" on <decided>
    Then the "assessment" deadline is due on Monday 2026-03-09
    And the "assessment" deadline ended on <decided>
    And the "assessment" deadline is <status>
    And the "assessment" deadline is not flagged as unconfirmed

    Examples:
      | setting    | decided            | status   |
      | outpatient | Monday 2026-03-09  | met      |
      | outpatient | Tuesday 2026-03-10 | breached |
      | inpatient  | Monday 2026-03-09  | met      |
      | inpatient  | Tuesday 2026-03-10 | breached |

  Scenario Outline: Patient-deferred during assessment turns a late decision into "deferred", not "breached"
    Given an outpatient referral to "ocd" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When the patient deferred ("pasientutsatt") was registered on Tuesday 2026-02-10
    And the clinical decision after basic assessment was "CP" on <decided>
    Then the "assessment" deadline is due on Monday 2026-03-09
    And the "assessment" deadline is <status>
    And the "first attendance" deadline is met

    Examples:
      | decided            | status   |
      | Monday 2026-03-09  | met      |
      | Tuesday 2026-03-17 | deferred |

  Scenario: Extended assessment: the assessment deadline ends at the first decision "CU", the evaluation clock starts at the second
    Given an outpatient referral to "ocd" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When the clinical decision after basic assessment was "CU" on Monday 2026-02-23
    Then the "assessment" deadline ended on Monday 2026-02-23
    And the "assessment" deadline is met
    And the task "clinical_decision_extended" is open
    And the task "plan_treatment" is not open
    And there is no "first evaluation" deadline
    And the clinical decision after extended assessment cannot be "CU"
    When the clinical decision after extended assessment was "CP" on Monday 2026-04-13
    Then the "assessment" deadline has been measured once
    And the "assessment" deadline is met
    And the "first evaluation" deadline has been measured once
    And the "first evaluation" deadline started on Monday 2026-04-13
    And the "first evaluation" deadline is due on Monday 2026-05-25
    And the task "plan_treatment" is open

  Scenario Outline: First evaluation within 42 days (unconfirmed) of a decision for treatment
    Given an <setting> referral to "ocd" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When the clinical decision after basic assessment was "<decision>" on Monday 2026-01-26
    Then the "first evaluation" deadline started on Monday 2026-01-26
    And the "first evaluation" deadline is due on Monday 2026-03-09
    And the "first evaluation" deadline is flagged as unconfirmed
    When the treatment plan was made together with the patient on Monday 2026-01-26
    And the treatment was evaluated with the patient on <evaluated>, continuing treatment
    Then the "first evaluation" deadline ended on <evaluated>
    And the "first evaluation" deadline is <status>

    Examples:
      | setting    | decision | evaluated          | status   |
      | outpatient | CP       | Monday 2026-03-09  | met      |
      | outpatient | CP       | Tuesday 2026-03-10 | breached |
      | outpatient | CT       | Friday 2026-02-27  | met      |
      | inpatient  | CP       | Monday 2026-03-09  | met      |
      | inpatient  | CP       | Tuesday 2026-03-10 | breached |

  Scenario Outline: Time between evaluations: 84 days (unconfirmed), outpatient and inpatient
    Given an <setting> referral to "ocd" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    And the clinical decision after basic assessment was "CP" on Monday 2026-01-26
    And the treatment plan was made together with the patient on Monday 2026-01-26
    When the treatment was evaluated with the patient on Monday 2026-03-02, continuing treatment
    Then the "first evaluation" deadline is met
    And the "evaluation interval" deadline number 1 started on Monday 2026-03-02
    And the "evaluation interval" deadline number 1 is due on Monday 2026-05-25
    And the "evaluation interval" deadline is flagged as unconfirmed
    When the treatment was evaluated with the patient on <second>, continuing treatment
    Then the "evaluation interval" deadline number 1 is <status>
    And the "evaluation interval" deadline number 2 started on <second>
    And the "evaluation interval" deadline number 2 is pending
    And the "evaluation interval" deadline has been measured 2 times

    Examples:
      | setting    | second             | status   |
      | outpatient | Monday 2026-05-25  | met      |
      | outpatient | Tuesday 2026-05-26 | breached |
      | inpatient  | Monday 2026-05-25  | met      |
      | inpatient  | Tuesday 2026-05-26 | breached |

  Scenario: A decision for other agencies goes to closure; a transfer to another trust sends no follow-up plan
    Given an outpatient referral to "ocd" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When the clinical decision after basic assessment was "CS" on Monday 2026-02-02
    Then the task "close_pathway" is open
    And the task "plan_treatment" is not open
    And there is no "first evaluation" deadline
    When the coordinator registered "Avslutte pakkeforløpet" on Wednesday 2026-02-04 with outcome "other_trust"
    Then the pathway is completed
    And the pathway was closed on Wednesday 2026-02-04
    And no follow-up plan was sent to the municipality
    And no task is open

  Scenario: A closure with follow-up where the optional closure fields are left empty still sends the follow-up plan
    Given an outpatient referral to "ocd" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    And the clinical decision after basic assessment was "CK" on Monday 2026-02-02
    When the coordinator registered "Avslutte pakkeforløpet" on Wednesday 2026-02-04 with:
      | field               | value                              |
      | outcome             | municipal_follow_up                |
      | follow_up_plan_sent | true                               |
      | municipal_contact   | Kari Nordmann, koordinerende enhet |
    Then the pathway is completed
    And the municipality was sent the follow-up plan:
      | field                   | value                              |
      | municipal_contact       | Kari Nordmann, koordinerende enhet |
      | follow_up_plan_sent     | true                               |
      | risk_information_shared | -                                  |
      | where_to_turn           | -                                  |

  Scenario: Under the 2019 rules the pathway starts on the day the OCD team receives the referral
    Given an outpatient referral to "ocd" was received on Monday 2026-01-05 under the 2019 rules
    Then the pathway runs under the 2019 rules
    And the pathway start date is Monday 2026-01-05
    When the referral was assessed on Thursday 2026-01-08 with right to care
    Then the pathway start date is Monday 2026-01-05

  Scenario: Under the 2024 rules the pathway starts when the referral is assessed with right to care
    Given an outpatient referral to "ocd" was received on Monday 2026-01-05 under the 2024 rules
    Then the pathway runs under the 2024 rules
    And the pathway has no start date
    When the referral was assessed on Thursday 2026-01-08 with right to care
    Then the pathway start date is Thursday 2026-01-08
    And the "first attendance" deadline is due on Monday 2026-02-16

  Scenario: The unconfirmed type code and evaluation cadence are flagged in the catalogue
    Given an outpatient referral to "ocd" was received on Monday 2026-01-05
    Then the pathway has no type code
    And the pathway catalogue flags "pathwayType" as unconfirmed
    And the pathway catalogue lists these deadlines:
      | deadline            | from              | to                | limit | unit          | unconfirmed |
      | referral_assessment | referral_received | referral_assessed | 10    | working_days  | no          |
      | under_23_guarantee  | referral_assessed | first_attendance  | 65    | working_days  | yes         |
      | first_attendance    | referral_received | first_attendance  | 42    | calendar_days | no          |
      | assessment          | first_attendance  | clinical_decision | 56    | calendar_days | no          |
      | first_evaluation    | clinical_decision | evaluation        | 42    | calendar_days | yes         |
      | evaluation_interval | evaluation        | evaluation        | 84    | calendar_days | yes         |
      | municipal_coordinator_contact | municipal_coordinator_named | municipal_coordinator_contacted | 10 | working_days | yes |
      | emergency_decision | emergency_over | referral_assessed | 14 | calendar_days | no |
