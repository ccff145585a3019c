Feature: D12: the ADHD chapter and the 65-day guarantee for patients under 23
  ADHD is a chapter of the pathway for children and young people (from 1 March 2022), not a pathway of its own.
  At the first attendance the coordinator records whether ADHD is suspected ("Mistanke om ADHD"); if so, the
  assessment for ADHD ("Utredning for ADHD", measuring point adhd_assessment) is part of the basic assessment and
  comes before the clinical decision. It has no deadline of its own: it must fit in the 42 days of the basic
  assessment.

  Patients under 23 shall start care within 65 days of the referral being assessed with right to care (domain
  reference 4.2 and the national indicator "under-23s starting care within 65 days"). The indicator text says
  working days while the pathway deadlines are in calendar days; the pathway counts 65 working days and flags the
  unit as unconfirmed. Care starts at the first attendance. The age is the age at referral, recorded when the
  referral is assessed. From Wednesday 2026-01-07, 65 working days end on Monday 2026-04-13 (2, 3 and 6 April are
  Easter holidays).

  Scenario Outline: Suspected ADHD is assessed before the clinical decision, within the assessment deadline
    Given an <setting> referral to "D12" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care, the patient being 9 years old
    When the patient attended for the first time on Monday 2026-01-12, with ADHD suspected
    Then the task "adhd_assessment" is open
    And the task "somatic_health_check" is open
    And the task "clinical_decision_basic" is not open
    When somatic health and lifestyle were checked on Monday 2026-01-19
    And the coordinator registered "Utredning for ADHD" on Monday 2026-02-16 with:
      | field          | value |
      | adhd_diagnosed | true  |
    Then the measuring point "adhd_assessment" was registered on Monday 2026-02-16
    And no deadline starts or ends at "adhd_assessment"
    And the "assessment" deadline is pending
    And the task "clinical_decision_basic" is open
    When the clinical decision after basic assessment was "CP" on <decided>
    Then the "assessment" deadline is due on Monday 2026-02-23
    And the "assessment" deadline is <status>
    And the task "plan_treatment" is open

    Examples:
      | setting    | decided             | status   |
      | outpatient | Monday 2026-02-23   | met      |
      | outpatient | Tuesday 2026-02-24  | breached |
      | inpatient  | Monday 2026-02-23   | met      |

  Scenario: Without suspected ADHD there is no ADHD assessment
    Given an outpatient referral to "D12" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care, the patient being 9 years old
    When the patient attended for the first time on Monday 2026-01-12, with no suspicion of ADHD
    Then the task "adhd_assessment" is not open
    And the task "clinical_decision_basic" is open
    And the task "somatic_health_check" is open

  Scenario: ADHD found in an extended assessment: the assessment for ADHD came first, the second decision follows
    Given an outpatient referral to "D12" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care, the patient being 11 years old
    And the patient attended for the first time on Monday 2026-01-12, with ADHD suspected
    And somatic health and lifestyle were checked on Monday 2026-01-12
    And the coordinator registered "Utredning for ADHD" on Monday 2026-02-02
    When the clinical decision after basic assessment was "CU" on Monday 2026-02-09
    Then the "assessment" deadline is met
    And the task "clinical_decision_extended" is open
    When the clinical decision after extended assessment was "CP" on Monday 2026-03-16
    Then the "extended assessment" deadline is met
    And the task "plan_treatment" is open

  Scenario Outline: Under 23: care starts within 65 working days of the referral assessment
    Given an <setting> referral to "D12" was received on Monday 2026-01-05 under the <rules> rules
    When the referral was assessed on Wednesday 2026-01-07 with right to care, the patient being <age> years old
    Then the "under 23 guarantee" deadline started on Wednesday 2026-01-07
    And the "under 23 guarantee" deadline is due on Monday 2026-04-13
    And the "under 23 guarantee" deadline is flagged as unconfirmed
    When the patient attended for the first time on <attended>, with no suspicion of ADHD
    Then the "under 23 guarantee" deadline ended on <attended>
    And the "under 23 guarantee" deadline is <status>

    Examples:
      | setting    | rules | age | attended            | status   |
      | outpatient | 2019  | 15  | Monday 2026-04-13   | met      |
      | outpatient | 2019  | 15  | Tuesday 2026-04-14  | breached |
      | outpatient | 2024  | 22  | Monday 2026-04-13   | met      |
      | outpatient | 2024  | 22  | Tuesday 2026-04-14  | breached |
      | inpatient  | 2019  | 17  | Thursday 2026-01-15 | met      |

  Scenario: A patient under 23 still waiting for care after 65 working days is overdue
    Given an outpatient referral to "D12" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care, the patient being 19 years old
    When it is Monday 2026-04-13
    Then the "under 23 guarantee" deadline is pending
    And the task list shows "first_attendance" due on Monday 2026-04-13, not overdue
    When it is Tuesday 2026-04-14
    Then the "under 23 guarantee" deadline is overdue
    And the task list shows "first_attendance" as overdue, due on Monday 2026-04-13

  Scenario Outline: A patient aged 23 or older at referral gets no under-23 deadline
    Given an outpatient referral to "D12" was received on Monday 2026-01-05 under the <rules> rules
    When the referral was assessed on Wednesday 2026-01-07 with right to care, the patient being <age> years old
    Then there is no "under 23 guarantee" deadline
    And the "referral assessment" deadline is met
    When the patient attended for the first time on Tuesday 2026-04-14, with no suspicion of ADHD
    Then there is no "under 23 guarantee" deadline
    And the "assessment" deadline started on Tuesday 2026-04-14

    Examples:
      | rules | age |
      | 2019  | 23  |
      | 2024  | 23  |
      | 2019  | 25  |
