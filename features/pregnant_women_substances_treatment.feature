Feature: Pregnant women using substances: assessment, detoxification, treatment and evaluations
  "Pakkeforløp gravide og rusmidler". Deadlines in calendar days (Helsedirektoratet, kartlegging og utredning,
  gravide og rusmidler: https://www.helsedirektoratet.no/pakkeforlop/gravide-og-rusmidler/kartlegging-og-utredning):
    first attendance → clinical decision:                        outpatient 7, inpatient 3–7
    completed detoxification → next treatment:                   outpatient 0, inpatient 0 (the same day)
    clinical decision for treatment (CT, CP) → first evaluation: outpatient 14, inpatient 7
    between evaluations:                                         outpatient 42, inpatient 42
  The source gives the inpatient assessment deadline as a range, 3–7 days. The model uses 7, the end of the range,
  so that no decision within the range counts as a breach, and flags the value as unconfirmed until a clinician
  chooses. A deadline still open when the pathway is closed is "cancelled". If the patient delays the assessment
  by more than 7 working days, the coordinator registers patient-deferred ("pasientutsatt", code L).

  Scenario Outline: Assessment from first attendance to clinical decision within 7 days
    Given an <setting> referral to "pregnant_women_substances" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care, the substance use first found in specialist care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When the clinical decision after basic assessment was "CT" on <decided>
    Then the "assessment" deadline started on Monday 2026-01-12
    And the "assessment" deadline is due on Monday 2026-01-19
    And the "assessment" deadline ended on <decided>
    And the "assessment" deadline is <status>
    And the "assessment" deadline <flag>
    And there is no "assessment (<other>)" deadline

    Examples: Outpatient: 7 days
      | setting    | other      | decided            | status   | flag                      |
      | outpatient | inpatient  | Monday 2026-01-19  | met      | is not flagged            |
      | outpatient | inpatient  | Tuesday 2026-01-20 | breached | is not flagged            |

    Examples: Inpatient: 3–7 days in the source, modelled as 7 and flagged
      | setting    | other      | decided            | status   | flag                      |
      | inpatient  | outpatient | Monday 2026-01-19  | met      | is flagged as unconfirmed |
      | inpatient  | outpatient | Tuesday 2026-01-20 | breached | is flagged as unconfirmed |

  Scenario: An assessment without a decision after 7 days is overdue
    Given an outpatient referral to "pregnant_women_substances" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care, the substance use first found in the municipality
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When it is Monday 2026-01-19
    Then the task list shows "clinical_decision_basic" due on Monday 2026-01-19, not overdue
    When it is Tuesday 2026-01-20
    Then the "assessment" deadline is overdue
    And the task list shows "clinical_decision_basic" as overdue, due on Monday 2026-01-19

  Scenario Outline: Patient-deferred during assessment turns a late decision into "deferred", not "breached"
    Given an outpatient referral to "pregnant_women_substances" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care, the substance use first found in the municipality
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When the patient deferred ("pasientutsatt") was registered on Wednesday 2026-01-14
    And the clinical decision after basic assessment was "CT" on <decided>
    Then the "assessment" deadline is due on Monday 2026-01-19
    And the "assessment" deadline is <status>

    Examples:
      | decided            | status   |
      | Monday 2026-01-19  | met      |
      | Tuesday 2026-01-27 | deferred |

  Scenario: Extended assessment: the assessment deadline ends at the first decision, the evaluation clock starts at the second
    Given an outpatient referral to "pregnant_women_substances" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care, the substance use first found in the municipality
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When the clinical decision after basic assessment was "CU" on Monday 2026-01-19
    Then the "assessment" deadline is met
    And the task "clinical_decision_extended" is open
    And there is no "first evaluation" deadline
    When the clinical decision after extended assessment was "CT" on Monday 2026-02-16
    Then the "assessment" deadline has been measured once
    And the "assessment" deadline ended on Monday 2026-01-19
    And the "first evaluation" deadline has been measured once
    And the "first evaluation" deadline started on Monday 2026-02-16
    And the "first evaluation" deadline is due on Monday 2026-03-02
    And the task "plan_treatment" is open

  Scenario Outline: Treatment starts the same day detoxification is completed, in either setting
    Given an <setting> referral to "pregnant_women_substances" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care, the substance use first found in the municipality
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    And the clinical decision after basic assessment was "CT" on Monday 2026-01-19
    And the treatment plan was made with the patient on Monday 2026-01-19, starting with detoxification
    When detoxification was completed on Tuesday 2026-01-20
    Then the "detoxification to treatment" deadline is due on Tuesday 2026-01-20
    When treatment started on <started>
    Then the "detoxification to treatment" deadline ended on <started>
    And the "detoxification to treatment" deadline is <status>

    Examples:
      | setting    | started              | status   |
      | outpatient | Tuesday 2026-01-20   | met      |
      | outpatient | Wednesday 2026-01-21 | breached |
      | inpatient  | Tuesday 2026-01-20   | met      |
      | inpatient  | Wednesday 2026-01-21 | breached |

  Scenario: No detoxification, no detoxification deadline
    Given an outpatient referral to "pregnant_women_substances" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care, the substance use first found in the municipality
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    And the clinical decision after basic assessment was "CT" on Monday 2026-01-19
    When the treatment plan was made with the patient on Monday 2026-01-19, without detoxification
    Then the task "treatment_started" is open
    And the task "detoxification_completed" is not open
    And there is no "detoxification to treatment" deadline

  Scenario Outline: First evaluation after a decision for treatment
    Given an <setting> referral to "pregnant_women_substances" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care, the substance use first found in the municipality
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When the clinical decision after basic assessment was "<decision>" on Monday 2026-01-19
    Then the "first evaluation" deadline started on Monday 2026-01-19
    And the "first evaluation" deadline is due on <due>
    When the treatment plan was made with the patient on Monday 2026-01-19, without detoxification
    And treatment started on Monday 2026-01-19
    And the treatment was evaluated with the patient on <evaluated>, continuing treatment
    Then the "first evaluation" deadline ended on <evaluated>
    And the "first evaluation" deadline is <status>

    Examples: Outpatient: 14 days
      | setting    | decision | due               | evaluated          | status   |
      | outpatient | CT       | Monday 2026-02-02 | Monday 2026-02-02  | met      |
      | outpatient | CT       | Monday 2026-02-02 | Tuesday 2026-02-03 | breached |
      | outpatient | CP       | Monday 2026-02-02 | Friday 2026-01-30  | met      |

    Examples: Inpatient: 7 days
      | setting    | decision | due               | evaluated          | status   |
      | inpatient  | CT       | Monday 2026-01-26 | Monday 2026-01-26  | met      |
      | inpatient  | CT       | Monday 2026-01-26 | Tuesday 2026-01-27 | breached |

  Scenario Outline: A decision for GP or municipal services goes to closure, with no evaluation deadline
    Given an <setting> referral to "pregnant_women_substances" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care, the substance use first found in the municipality
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When the clinical decision after basic assessment was "CK" on Monday 2026-01-19
    Then the task "close_pathway" is open
    And there is no "first evaluation" deadline
    When the pathway was closed on Wednesday 2026-01-21 with a written follow-up plan to "Kari Nordmann, koordinerende enhet" in the municipality
    Then the pathway is completed
    And there is no "evaluation interval" deadline
    And the municipality was sent the follow-up plan naming "Kari Nordmann, koordinerende enhet"

    Examples:
      | setting    |
      | outpatient |
      | inpatient  |

  Scenario Outline: Time between evaluations: 42 days in either setting
    Given an <setting> referral to "pregnant_women_substances" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care, the substance use first found in the municipality
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    And the clinical decision after basic assessment was "CT" on Monday 2026-01-19
    And the treatment plan was made with the patient on Monday 2026-01-19, without detoxification
    And treatment started on Monday 2026-01-19
    When the treatment was evaluated with the patient on Monday 2026-01-26, continuing treatment
    Then the "first evaluation" deadline is met
    And the "evaluation interval" deadline number 1 started on Monday 2026-01-26
    And the "evaluation interval" deadline number 1 is due on Monday 2026-03-09
    When the treatment was evaluated with the patient on <second>, continuing treatment
    Then the "evaluation interval" deadline number 1 is <status>
    And the "evaluation interval" deadline number 2 started on <second>
    And the "evaluation interval" deadline number 2 is pending
    And the "evaluation interval" deadline has been measured 2 times

    Examples:
      | setting    | second             | status   |
      | outpatient | Monday 2026-03-09  | met      |
      | outpatient | Tuesday 2026-03-10 | breached |
      | inpatient  | Monday 2026-03-09  | met      |
      | inpatient  | Tuesday 2026-03-10 | breached |
