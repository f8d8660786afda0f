"""Labels of feedback on tasks: the assignee's suggestions linked to a task, shown on its record."""
from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "err_task_assignee_only": ("只有任务的执行人（或被分派部门的成员）可以反馈此任务。",
                               "Only the task's assignee (or a member of the department it is assigned to) "
                               "may give feedback on it."),
    "task_feedback": ("任务反馈", "Feedback on this task"),
    "no_feedback_yet": ("尚无反馈。", "No feedback yet."),
    "feedback_intro": ("反馈任务：选择任务后，建议将发给分派人。",
                       "Feedback on a task: pick the task and the suggestion goes to whoever assigned it."),
}
