Feature: Main course 3: the responsibility group and the individual plan, each on the interval agreed for the patient
  The responsibility group (ansvarsgruppe) meets regularly with the patient, relatives, the GP and the services
  involved (NAV, housing, specialist care; the police where violence risk is assessed), and each decision in the
  minutes is followed up. The individual plan is followed up, evaluated and updated on its own interval, and at
  discharge from an inpatient stay (seeds: NAPHA, Kragerø, Helse Fonna; domain reference §8). The intervals are
  agreed per patient: the group sets it when it is set up and at each meeting, the plan when it is made and at
  each evaluation. No interval is national, so the deadlines are local configuration, flagged unconfirmed; an
  interval left empty falls back to the file's default.

  Background:
    Given main course 3 was started on Monday 2026-01-05 for a patient with a severe, long-term illness
    And the unit lead appointed a coordinator on Monday 2026-01-05

  Scenario: The responsibility group meets on the interval agreed for the patient
    When the responsibility group was set up on Tuesday 2026-01-06 to meet every 2 months, the individual plan made to be evaluated every 6 months, and the crisis plan made
    Then the task "hold_responsibility_group_meeting" is open in the lane "Forløpskoordinator"
    And the "first responsibility group meeting" deadline is due on Friday 2026-03-06
    And the "first responsibility group meeting" deadline is flagged as unconfirmed
    When the responsibility group met on Friday 2026-03-06 with the patient, the GP and specialist care, to meet again in 1 months, deciding "Søke om bolig"
    Then the "first responsibility group meeting" deadline is met
    And the "responsibility group interval" deadline number 1 is due on Monday 2026-04-06
    And the task "hold_responsibility_group_meeting" is open
    When the responsibility group met on Tuesday 2026-04-07, to meet again in 3 months, with no decisions
    Then the "responsibility group interval" deadline number 1 is breached
    And the "responsibility group interval" deadline number 2 is due on Tuesday 2026-07-07

  Scenario: An interval beyond what the form allows is refused, not turned into a due date
    When the responsibility group is set up on Tuesday 2026-01-06 to meet every 100000000 months
    Then the registration is refused, because the meeting interval must be from 1 to 24 months
    And the task "establish_responsibility_group" is open
    And there is no "first responsibility group meeting" deadline

  Scenario: Each decision in the minutes becomes a follow-up task
    Given the responsibility group was set up on Tuesday 2026-01-06 to meet every 2 months, the individual plan made to be evaluated every 6 months, and the crisis plan made
    When the responsibility group met on Monday 2026-02-02 with the patient, the GP and specialist care, to meet again in 2 months, deciding "Søke om tilrettelagt bolig; NAV avklarer arbeidstrening"
    Then the task "follow_up_decision_1" is open
    And the task "follow_up_decision_2" is open
    And the task "follow_up_decision_3" is not open
    And the task "hold_responsibility_group_meeting" is open

  Scenario: A meeting with no decisions gives only the next meeting
    Given the responsibility group was set up on Tuesday 2026-01-06 to meet every 2 months, the individual plan made to be evaluated every 6 months, and the crisis plan made
    When the responsibility group met on Monday 2026-02-02, to meet again in 2 months, with no decisions
    Then the task "follow_up_decision_1" is not open
    And the task "hold_responsibility_group_meeting" is open

  Scenario: The meeting records who took part
    Then the meeting form records "patient_present, relatives_present, gp_present, nav_present, housing_present, specialist_care_present, violence_risk_assessed, police_present"

  Scenario: The individual plan is evaluated on its own interval
    When the responsibility group was set up on Tuesday 2026-01-06 to meet every 2 months, the individual plan made to be evaluated every 6 months, and the crisis plan made
    Then the task "evaluate_individual_plan" is open in the lane "Forløpskoordinator"
    And the "first individual plan evaluation" deadline is due on Monday 2026-07-06
    When the individual plan was evaluated with the patient on Wednesday 2026-07-01, next in 3 months
    Then the "first individual plan evaluation" deadline is met
    And the "individual plan evaluation interval" deadline number 1 is due on Thursday 2026-10-01
    And the task "evaluate_individual_plan" is open

  Scenario: At discharge from an inpatient stay the plan is evaluated, and its interval runs from then
    Given the responsibility group was set up on Tuesday 2026-01-06 to meet every 2 months, the individual plan made to be evaluated every 6 months, and the crisis plan made
    When the patient was discharged from an inpatient stay on Monday 2026-03-02
    Then the task "evaluate_individual_plan_at_discharge" is open in the lane "Forløpskoordinator"
    When the individual plan was evaluated at discharge on Tuesday 2026-03-03, next in 4 months
    Then the "first individual plan evaluation" deadline is met
    And the "individual plan evaluation interval" deadline number 1 is due on Friday 2026-07-03

  Scenario: Closing the course ends the group's and the plan's cycles
    Given the responsibility group was set up on Tuesday 2026-01-06 to meet every 2 months, the individual plan made to be evaluated every 6 months, and the crisis plan made
    And a mapping talk was held and the treatment plan updated with the patient on Monday 2026-01-12
    When the course was reassessed with a risk assessment on Monday 2026-02-02, closing the course
    Then the task "close_course" is open
    And the task "hold_responsibility_group_meeting" is not open
    And the task "evaluate_individual_plan" is not open
