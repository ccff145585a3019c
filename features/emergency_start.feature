Feature: Start after an emergency admission (øyeblikkelig hjelp)
  After an emergency admission the pathway starts when the emergency is over, and the decision to enter a pathway
  is taken within 2 weeks (domain reference §2;
  https://www.helsedirektoratet.no/pakkeforlop/psykoselidelser-inkludert-mistanke-om-psykoseutvikling-barn-unge-og-voksne/henvisning-og-start-psykose-pakkeforlop/start-pakkeforlop).
  The coordinator says so at the start ("Etter øyeblikkelig hjelp-innleggelse"); the day the emergency is over is
  the referral date.

  Scenario Outline: The decision to enter the pathway is due 14 days after the emergency is over, in <pathway>
    Given an inpatient emergency admission to "<pathway>" whose emergency was over on Monday 2026-01-05
    Then the "emergency_over" measuring point was registered on Monday 2026-01-05
    And the "emergency decision" deadline is due on Monday 2026-01-19
    When the decision to enter the pathway was taken on Friday 2026-01-16
    Then the "emergency decision" deadline is met

    Examples:
      | pathway                    |
      | tsb_d01                    |
      | mental_health_adults_d11   |
      | mental_health_children_d12 |
      | psychosis                  |
      | eating_disorders_children  |
      | ocd                        |
      | pregnant_women_substances  |

  Scenario: A decision taken later than 2 weeks after the emergency is breached
    Given an inpatient emergency admission to "tsb_d01" whose emergency was over on Monday 2026-01-05
    When the decision to enter the pathway was taken on Wednesday 2026-01-21
    Then the "emergency decision" deadline is breached

  Scenario: A pathway started from an ordinary referral has no emergency deadline
    Given an inpatient referral to "tsb_d01" was received on Monday 2026-01-05
    Then there is no "emergency decision" deadline
