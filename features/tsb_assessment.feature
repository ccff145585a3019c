Feature: Assessment from first attendance to clinical decision ("utredning" and "klinisk beslutning")
  In TSB the clinical decision after basic assessment is due 21 calendar days after the first attendance for an
  outpatient ("poliklinikk") and 7 calendar days for an inpatient ("døgn"). If the patient delays the assessment
  by more than 7 working days, the coordinator registers patient-deferred ("pasientutsatt", code L) before the
  decision; a late decision is then attributed to the patient instead of counted as breached.

  Scenario Outline: Outpatient assessment within 21 days
    Given an outpatient TSB referral was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When the clinical decision after basic assessment was "CT" on <decided>
    Then the "assessment" deadline started on Monday 2026-01-12
    And the "assessment" deadline is due on Monday 2026-02-02
    And the "assessment" deadline ended on <decided>
    And the "assessment" deadline is <status>
    And there is no "assessment (inpatient)" deadline

    Examples:
      | decided             | status   |
      | Monday 2026-02-02   | met      |
      | Tuesday 2026-02-03  | breached |

  Scenario Outline: Inpatient assessment within 7 days
    Given an inpatient TSB referral was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When the clinical decision after basic assessment was "CT" on <decided>
    Then the "assessment" deadline is due on Monday 2026-01-19
    And the "assessment" deadline is <status>
    And there is no "assessment (outpatient)" deadline

    Examples:
      | decided             | status   |
      | Monday 2026-01-19   | met      |
      | Tuesday 2026-01-20  | breached |

  Scenario: An assessment still without a decision after the deadline is overdue
    Given an outpatient TSB referral was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When it is Monday 2026-02-02
    Then the "assessment" deadline is pending
    And the task list shows "clinical_decision_basic" due on Monday 2026-02-02, not overdue
    When it is Tuesday 2026-02-03
    Then the "assessment" deadline is overdue
    And the task list shows "clinical_decision_basic" as overdue, due on Monday 2026-02-02

  Scenario Outline: Patient-deferred during assessment turns a late decision into "deferred", not "breached"
    Given an outpatient TSB referral was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When the patient deferred ("pasientutsatt") was registered on Tuesday 2026-01-20
    And the clinical decision after basic assessment was "CT" on <decided>
    Then the "assessment" deadline is due on Monday 2026-02-02
    And the "assessment" deadline ended on <decided>
    And the "assessment" deadline is <status>
    And the "referral assessment" deadline is met

    Examples:
      | decided              | status   |
      | Monday 2026-02-02    | met      |
      | Tuesday 2026-02-10   | deferred |

  Scenario: A patient who cancels for 10 working days defers the clinical decision but not the referral assessment
    Given an outpatient TSB referral was received on Monday 2026-01-05
    Then registering patient-deferred on Tuesday 2026-01-06 for 10 working days is refused with "no_deferrable_deadline"
    When the referral was assessed on Wednesday 2026-01-21 with right to care
    Then the "referral assessment" deadline is breached
    When the patient attended for the first time on Monday 2026-01-26
    And somatic health and lifestyle were checked on Monday 2026-01-26
    Then registering patient-deferred on Tuesday 2026-01-27 for 5 working days is refused with "deferral_too_short"
    When the patient cancelled on Tuesday 2026-01-27 and could not come for 10 working days
    And the clinical decision after basic assessment was "CT" on Monday 2026-02-23
    Then the "assessment" deadline is due on Monday 2026-02-16
    And the "assessment" deadline is deferred
    And the "referral assessment" deadline is breached

  Scenario: Extended assessment: the assessment deadline ends at the first decision, the evaluation clock starts at the second
    Given an outpatient TSB referral was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When the clinical decision after basic assessment was "CU" on Monday 2026-01-26
    Then the "assessment" deadline ended on Monday 2026-01-26
    And the "assessment" deadline is met
    And the task "clinical_decision_extended" is open
    And the task "plan_treatment" is not open
    And there is no "first evaluation" deadline
    When the clinical decision after extended assessment was "CT" on Monday 2026-03-02
    Then the "assessment" deadline has been measured once
    And the "assessment" deadline ended on Monday 2026-01-26
    And the "assessment" deadline is met
    And the "first evaluation" deadline has been measured once
    And the "first evaluation" deadline started on Monday 2026-03-02
    And the "first evaluation" deadline is due on Monday 2026-03-09
    And the "first evaluation" deadline is pending
    And the task "plan_treatment" is open
