Feature: The 65-day guarantee for patients under 23, in every specialist pathway
  Patients under 23 shall start care within 65 days of the referral being assessed with right to care (domain
  reference 4.2 and the national indicator "under-23s starting care within 65 days"). It holds not only in D12 but
  for 18–22-year-olds in adult mental health care (D11), in TSB and in the condition-specific pathways. The
  referral assessment asks for the patient's age; in D12 it is required, elsewhere it is filled in for patients
  under 23 (an adult's age may be left out, and then no guarantee is measured). As in D12 the guarantee is
  measured in working days to the first attendance, both flagged as unconfirmed.

  Scenario Outline: A <age>-year-old in <pathway> starts care within 65 working days of the assessment
    Given an outpatient referral to "<pathway>" was received on Monday 2026-01-05
    When the referral was assessed on Wednesday 2026-01-07 with right to care, the patient's age given as <age>
    Then the "under 23 guarantee" deadline started on Wednesday 2026-01-07
    And the "under 23 guarantee" deadline is due on Monday 2026-04-13
    And the "under 23 guarantee" deadline is flagged as unconfirmed
    When the patient attended for the first time on <attended>
    Then the "under 23 guarantee" deadline is <status>

    Examples:
      | pathway                   | age | attended           | status   |
      | mental_health_adults_d11  | 19  | Monday 2026-04-13  | met      |
      | mental_health_adults_d11  | 22  | Tuesday 2026-04-14 | breached |
      | tsb_d01                   | 18  | Monday 2026-04-13  | met      |
      | tsb_d01                   | 20  | Tuesday 2026-04-14 | breached |
      | psychosis                 | 21  | Monday 2026-01-12  | met      |
      | ocd                       | 16  | Tuesday 2026-04-14 | breached |
      | pregnant_women_substances | 20  | Monday 2026-01-12  | met      |
      | eating_disorders_children | 14  | Monday 2026-01-12  | met      |

  Scenario Outline: No guarantee for a patient of 23 or older, or whose age was not given, in <pathway>
    Given an outpatient referral to "<pathway>" was received on Monday 2026-01-05
    When the referral was assessed on Wednesday 2026-01-07 with right to care, the patient's age given as <age>
    Then there is no "under 23 guarantee" deadline
    And the "referral assessment" deadline is met

    Examples:
      | pathway                  | age       |
      | mental_health_adults_d11 | 23        |
      | mental_health_adults_d11 | not given |
      | tsb_d01                  | 45        |
      | tsb_d01                  | not given |

  Scenario: A patient under 23 with no right to care gets no guarantee
    Given an outpatient referral to "D11" was received on Monday 2026-01-05
    When the referral was assessed on Wednesday 2026-01-07 with no right to care, the patient's age given as 20
    Then there is no "under 23 guarantee" deadline
