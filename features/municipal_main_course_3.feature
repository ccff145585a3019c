Feature: Main course 3 in the municipality: severe and long-term illness, including co-occurring substance use ("hovedforløp 3")
  Main course 3 of the national guide for municipal mental health and substance-use work for adults
  (https://www.helsedirektoratet.no/veiledere/psykisk-helse-og-rusarbeid-for-voksne): severe, long-term illness,
  including ROP, followed jointly with specialist care through a coordinator, a responsibility group
  (ansvarsgruppe), an individual plan (IP) and a crisis plan (kriseplan). After that, mapping talks, the treatment
  plan and re-assessments with risk assessments recur ("structure as treatment", Porsgrunn kommune, "forløp 3").

  A crisis period ("blålys", Helse Fonna conference 2022) interrupts the normal course: one service is given the
  authority to coordinate the resources across services, the crisis plan is activated, and when the crisis is over
  the course resumes (or is re-established, or closed) after a follow-up talk. A crisis is reported from outside
  the pathways (message "crisis_reported", POST /instances/{id}/messages).

  Deadlines: none national. Re-assessment at the latest 3 calendar months after the treatment plan was made or
  updated is a local default, flagged UNCONFIRMED; the unit lead gets a task the day after it is overdue.

  Scenario: Establishing the course and two cycles of mapping, treatment plan and re-assessment (happy path)
    Given main course 3 was started on Monday 2026-01-05 for a patient with a severe, long-term illness
    Then the task "assign_coordinator" is open in the lane "Enhetsleder"
    And the "course_started" measuring point was registered on Monday 2026-01-05
    When the unit lead appointed a coordinator on Wednesday 2026-01-07
    Then the task "establish_responsibility_group" is open in the lane "Forløpskoordinator"
    And the task "establish_individual_plan" is open in the lane "Forløpskoordinator"
    And the task "make_crisis_plan" is open in the lane "Forløpskoordinator"
    When the responsibility group, the individual plan and the crisis plan were made with the patient on Monday 2026-01-19
    Then the task "mapping_talk" is open in the lane "Behandler i kommunen"
    And the "individual_plan_established" measuring point was registered on Monday 2026-01-19
    And the "responsibility_group_established" measuring point was registered on Monday 2026-01-19
    And the "crisis_plan_made" measuring point was registered on Monday 2026-01-19
    When a mapping talk was held and the treatment plan updated with the patient on Tuesday 2026-01-27
    Then the task "reassess_course" is open in the lane "Behandler i kommunen"
    And the "reassessment interval" deadline started on Tuesday 2026-01-27
    And the "reassessment interval" deadline is due on Monday 2026-04-27
    When the course was reassessed with a risk assessment on Monday 2026-04-20, continuing the course
    Then the "reassessment interval" deadline is met
    And the task "mapping_talk" is open
    When a mapping talk was held and the treatment plan updated with the patient on Monday 2026-04-27
    Then the "reassessment interval" deadline number 2 is due on Monday 2026-07-27
    When the course was reassessed with a risk assessment on Monday 2026-07-20, closing the course
    Then the "reassessment interval" deadline number 2 is met
    And the task "close_course" is open in the lane "Forløpskoordinator"
    When the coordinator registered "Avslutte hovedforløp 3" on Tuesday 2026-07-21 with outcome "lower_level"
    Then the pathway is completed
    And the pathway was closed on Tuesday 2026-07-21
    And no task is open

  Scenario: A crisis ("blålys") interrupts the normal course, and the course resumes when it is over
    Given main course 3 was started on Monday 2026-01-05 for a patient with a severe, long-term illness
    And the course was established on Monday 2026-01-12
    And a mapping talk was held and the treatment plan updated with the patient on Monday 2026-01-19
    When a crisis ("blålys") was reported on Wednesday 2026-02-04
    Then the task "reassess_course" is not open
    And the task "blue_light_authority" is open in the lane "Enhetsleder"
    And the "crisis_reported" measuring point was registered on Wednesday 2026-02-04
    And the pathway is active
    When the unit lead gave "Ambulant akutteam" authority to coordinate the resources across services on Wednesday 2026-02-04
    Then the task "activate_crisis_plan" is open in the lane "Forløpskoordinator"
    When the crisis plan was activated on Wednesday 2026-02-04
    Then the task "end_crisis_period" is open in the lane "Enhetsleder"
    When the crisis was over on Monday 2026-02-16, resuming the normal course
    Then the "crisis_resolved" measuring point was registered on Monday 2026-02-16
    And the "reassessment interval" deadline ended on Monday 2026-02-16
    And the "reassessment interval" deadline is met
    And the task "follow_up_talk_after_crisis" is open in the lane "Behandler i kommunen"
    When the follow-up talk after the crisis was held on Wednesday 2026-02-18
    Then the task "revise_crisis_plan" is open in the lane "Behandler i kommunen"
    When the crisis plan was revised with the patient on Thursday 2026-02-19
    Then the "crisis_plan_revised" measuring point was registered on Thursday 2026-02-19
    And the task "mapping_talk" is open in the lane "Behandler i kommunen"
    And the task "assign_coordinator" is not open
    And the "coordinator_assigned" measuring point was registered 1 times
    When a mapping talk was held and the treatment plan updated with the patient on Monday 2026-02-23
    Then the task "reassess_course" is open
    And the "reassessment interval" deadline number 2 started on Monday 2026-02-23
    And the "reassessment interval" deadline number 2 is due on Saturday 2026-05-23
    When the course was reassessed with a risk assessment on Monday 2026-05-18, continuing the course
    Then the "reassessment interval" deadline number 2 is met
    And the task "mapping_talk" is open

  Scenario: A crisis during the establishment: the cooperation is established anew when it is over
    Given main course 3 was started on Monday 2026-01-05 for a patient with a severe, long-term illness
    And the unit lead appointed a coordinator on Wednesday 2026-01-07
    When a crisis ("blålys") was reported on Friday 2026-01-09
    Then the task "establish_individual_plan" is not open
    And the task "make_crisis_plan" is not open
    And the task "blue_light_authority" is open
    When the unit lead gave "DPS ambulant team" authority to coordinate the resources across services on Friday 2026-01-09
    And the crisis plan was activated on Friday 2026-01-09
    And the crisis was over on Monday 2026-01-19, re-establishing the cooperation
    And the follow-up talk after the crisis was held on Tuesday 2026-01-20
    And the crisis plan was revised with the patient on Tuesday 2026-01-20
    Then the task "assign_coordinator" is open in the lane "Enhetsleder"
    And the task "mapping_talk" is not open

  Scenario: A crisis after which main course 3 is closed
    Given main course 3 was started on Monday 2026-01-05 for a patient with a severe, long-term illness
    And the course was established on Monday 2026-01-12
    And a mapping talk was held and the treatment plan updated with the patient on Monday 2026-01-19
    When a crisis ("blålys") was reported on Monday 2026-03-02
    And the unit lead gave "Ambulant akutteam" authority to coordinate the resources across services on Monday 2026-03-02
    And the crisis plan was activated on Tuesday 2026-03-03
    And the crisis was over on Monday 2026-03-16, closing main course 3
    And the follow-up talk after the crisis was held on Wednesday 2026-03-18
    And the crisis plan was revised with the patient on Wednesday 2026-03-18
    Then the task "close_course" is open in the lane "Forløpskoordinator"
    And the task "mapping_talk" is not open
    When the coordinator registered "Avslutte hovedforløp 3" on Wednesday 2026-03-18 with outcome "specialist_care"
    Then the pathway is completed
    And the pathway was closed on Wednesday 2026-03-18
    And no task is open

  Scenario: A second crisis report during a crisis period is refused, because the normal course is already interrupted
    Given main course 3 was started on Monday 2026-01-05 for a patient with a severe, long-term illness
    And the course was established on Monday 2026-01-12
    And a crisis ("blålys") was reported on Wednesday 2026-01-14
    When another crisis was reported on Thursday 2026-01-15
    Then the engine refuses the report, because the pathway does not wait for a crisis during a crisis
    And the task "blue_light_authority" is open
    And the "crisis_reported" measuring point was registered 1 times

  Scenario Outline: Re-assessment at the latest 3 months after the treatment plan (unconfirmed local cadence)
    Given main course 3 was started on Monday 2026-01-05 for a patient with a severe, long-term illness
    And the course was established on Monday 2026-01-12
    And a mapping talk was held and the treatment plan updated with the patient on Tuesday 2026-01-27
    When the course was reassessed with a risk assessment on <reassessed>, continuing the course
    Then the "reassessment interval" deadline is due on Monday 2026-04-27
    And the "reassessment interval" deadline ended on <reassessed>
    And the "reassessment interval" deadline is <status>
    And the "reassessment interval" deadline is flagged as unconfirmed

    Examples:
      | reassessed         | status   |
      | Monday 2026-04-27  | met      |
      | Tuesday 2026-04-28 | breached |

  Scenario: A re-assessment not made in time is overdue and is escalated to the unit lead the day after
    Given main course 3 was started on Monday 2026-01-05 for a patient with a severe, long-term illness
    And the course was established on Monday 2026-01-12
    And a mapping talk was held and the treatment plan updated with the patient on Tuesday 2026-01-27
    When the scheduler runs on Monday 2026-04-27
    Then the task "follow_up_overdue_reassessment" is not open
    And the "reassessment interval" deadline is pending
    When the scheduler runs on Tuesday 2026-04-28
    Then the task "follow_up_overdue_reassessment" is open in the lane "Enhetsleder"
    And the task "reassess_course" is open
    And the "reassessment interval" deadline is overdue
    When the course was reassessed with a risk assessment on Wednesday 2026-04-29, continuing the course
    Then the "reassessment interval" deadline is breached
    And the task "follow_up_overdue_reassessment" is open in the lane "Enhetsleder"
