"""The load benchmark's page trace decodes what a page received and sent into lines that explain a failure."""

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.page_trace import PageTrace, received, sent


def forward(run_id: str = "abcdef123", fragments: tuple[str, ...] = ()) -> ForwardMsg:
    msg = ForwardMsg()
    msg.metadata.run.script_run_id = run_id
    msg.metadata.run.fragment_ids.extend(fragments)
    return msg


def test_a_run_start_and_end_name_the_run_and_its_fragments():
    start = forward(fragments=("c30c50f9",))
    start.new_session.name = "dashboard"
    end = forward()
    end.script_finished = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN
    assert received(start.SerializeToString()) == "start run abcdef fragments c30c50"
    assert received(end.SerializeToString()) == "stopped for a rerun run abcdef"


def test_the_panel_block_and_an_alert_are_kept_deep_elements_are_not():
    panel = forward()
    panel.metadata.delta_path.extend([0, 4])
    panel.delta.add_block.expandable.label = "Workspace: import files"
    alert = forward()
    alert.metadata.delta_path.extend([0, 4, 1, 0, 3])
    alert.delta.new_element.alert.body = "Nothing was saved:"
    deep = forward()
    deep.metadata.delta_path.extend([0, 2, 4, 1])
    deep.delta.new_element.markdown.body = "a caption"
    assert received(panel.SerializeToString()) == "block [0, 4] expandable 'Workspace: import files'"
    assert received(alert.SerializeToString()) == "alert [0, 4, 1, 0, 3] 'Nothing was saved:'"
    assert received(deep.SerializeToString()) is None


def test_a_rerun_request_says_which_panel_widgets_it_carried():
    msg = BackMsg()
    msg.rerun_script.fragment_id = "c30c50f9dfd3"
    msg.rerun_script.is_auto_rerun = True
    for widget_id in ("$$ID-1-workspace_panel", "$$ID-2-workspace_author", "$$ID-3-step_week_1"):
        msg.rerun_script.widget_states.widgets.add().id = widget_id
    assert sent(msg.SerializeToString()) == ("rerun request, fragment c30c50, on a timer: 3 widget states, "
                                             "panel's: workspace_panel, workspace_author")
    submit = BackMsg()
    clicked = submit.rerun_script.widget_states.widgets.add()
    clicked.id, clicked.trigger_value = "$$ID-4-FormSubmitter:add_movement-Add movement", True
    submit.rerun_script.widget_states.widgets.add().id = "$$ID-5-workspace_tab"
    assert sent(submit.SerializeToString()) == ("rerun request, whole page: 2 widget states, panel's: workspace_tab; "
                                                "clicked: FormSubmitter:add_movement-Add movement")
    other = BackMsg()
    other.app_heartbeat = True
    assert sent(other.SerializeToString()) is None


def test_the_timeline_stamps_each_line_and_skips_text_frames():
    end = forward()
    end.script_finished = ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY
    trace = PageTrace("Workspace: import files")
    trace.messages = [(0.25, True, end.SerializeToString()), (1.0, False, "a text frame")]
    assert trace.timeline() == "00:00:00.2 < finished run abcdef"
