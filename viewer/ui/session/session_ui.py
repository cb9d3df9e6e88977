"""Remote troubleshooting sessions in the window: the Session menu (start, join, follow, control, leave, end),
the Session dock, the status bar's connection state, and the parts that keep the view (`view_sync`), the plant
and its topics (`plant_sync`) and the pointers (`pointer`) in step with the session.

The client's events come on paho's thread; a SessionBridge hands them to this (GUI) thread.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QMenu, QWidget

from viewer.app.document import Message, Severity
from viewer.session import SessionClient, SessionCredentials, SessionError, parse_join_url
from viewer.ui.session.bridge import SessionBridge
from viewer.ui.session.dialogs import JoinUrlDialog, SessionChoice, SessionDialog
from viewer.ui.session.host import SessionHost
from viewer.ui.session.plant_sync import PlantSync
from viewer.ui.session.pointer import PointerTool
from viewer.ui.session.presence_dock import PresenceDock, state_html
from viewer.ui.session.session_bar import SessionBar
from viewer.ui.session.view_sync import ViewSync

POINTER_KEYS = "Ctrl+P"


class SessionUi(QObject):
    def __init__(self, window: SessionHost) -> None:
        super().__init__(window)  # type: ignore[arg-type]
        self.window = window
        self.client: SessionClient | None = None
        self.bridge: SessionBridge | None = None
        self.last_error = ""  # why the last start or join failed (tests read it)
        self.known: dict[str, str] = {}  # username -> name of everyone seen in this session, gone or not
        parent: QWidget = window  # type: ignore[assignment]
        self.dock = PresenceDock(parent)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()
        self.dock.grant_requested.connect(self.grant)
        self.bar = SessionBar()
        window.centralWidget().layout().insertWidget(0, self.bar)  # type: ignore[union-attr]
        self.status = QLabel()
        window.statusBar().addPermanentWidget(self.status)
        self.status.hide()
        self.view = ViewSync(window)
        self.plant = PlantSync(window, self.bar)
        self.pointer = PointerTool(window)
        self._build_menu()
        window.closed.connect(self._window_closed)  # closing the window leaves the session
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.leave)
        self._update_actions()

    # ------------------------------------------------------------ menu

    def _action(self, text: str, slot: Callable[..., object], tip: str, keys: str | None = None) -> QAction:
        action = QAction(text, self)
        action.setStatusTip(tip)
        action.setToolTip(tip)
        if keys:
            action.setShortcut(QKeySequence(keys))
        action.triggered.connect(slot)
        return action

    def _build_menu(self) -> None:
        self.start_action = self._action("&Start Session…", self.ask_start, "Lead a session others can join")
        self.join_action = self._action("&Join Session…", self.ask_join, "Join a session from its join URL")
        self.follow_action = self._action("&Follow", self.set_following, "Mirror the leader's view")
        self.follow_action.setCheckable(True)
        self.follow_action.setChecked(True)
        self.pointer_action = self._action(
            "&Pointer", self.pointer.set_on, "Show the others the point under your cursor", POINTER_KEYS
        )
        self.pointer_action.setCheckable(True)
        self.request_action = self._action("&Request Control", self.request_control, "Ask the leader to lead")
        self.hand_back_action = self._action("&Hand Back", self.hand_back, "Give control back to who started it")
        self.leave_action = self._action("&Leave", self.leave, "Leave the session; it goes on for the others")
        self.end_action = self._action("&End Session", self.end, "End the session for everyone (leader)")
        self.dock_action = self.dock.toggleViewAction()
        self.dock_action.setText("Session &Panel")
        self.menu = QMenu("&Session", self.window.menuBar())
        self.menu.addActions([self.start_action, self.join_action])
        self.menu.addSeparator()
        self.menu.addActions([self.follow_action, self.pointer_action, self.request_action, self.hand_back_action])
        self.menu.addSeparator()
        self.menu.addActions([self.leave_action, self.end_action])
        self.menu.addSeparator()
        self.menu.addAction(self.dock_action)
        bar = self.window.menuBar()
        before = next((a for a in bar.actions() if a.text() in ("&Review", "&Help")), None)
        if before is not None:
            bar.insertMenu(before, self.menu)
        else:
            bar.addMenu(self.menu)

    def _update_actions(self) -> None:
        client = self.client
        inside = client is not None and not client.ended
        leading = inside and client.is_leader  # type: ignore[union-attr]
        for action in (self.start_action, self.join_action):
            action.setEnabled(not inside)
        for action in (self.follow_action, self.pointer_action, self.leave_action):
            action.setEnabled(inside)
        self.request_action.setEnabled(inside and not leading)
        self.hand_back_action.setEnabled(leading and bool(client.owner) and client.owner != client.username)  # type: ignore[union-attr]
        self.end_action.setEnabled(leading)
        if not inside and self.pointer_action.isChecked():
            self.pointer_action.setChecked(False)

    # ------------------------------------------------------------ starting, joining, leaving

    def ask_start(self) -> None:
        dialog = SessionDialog(self.window.settings, joining=False, parent=self.window)  # type: ignore[arg-type]
        if dialog.exec():
            choice = dialog.choice()
            if self.start(choice.url, choice.credentials, choice.name, choice.site):
                JoinUrlDialog(self.client.join_url, self.window).exec()  # type: ignore[union-attr, arg-type]

    def ask_join(self) -> None:
        dialog = SessionDialog(self.window.settings, joining=True, parent=self.window)  # type: ignore[arg-type]
        if dialog.exec():
            choice: SessionChoice = dialog.choice()
            self.join(choice.url, choice.credentials, choice.name, choice.site)

    def start(self, broker_url: str, credentials: SessionCredentials, name: str = "", site: str = "") -> bool:
        """Lead a new session on the broker; False (and the reason shown) when it cannot start."""
        document = self.window.session.document
        name_of_file = self.window.session.path.name if self.window.session.path else ""
        return self._enter(
            broker_url,
            credentials,
            name,
            site,
            lambda c: c.start(document_hash=self.plant.document_hash() if document else "", document_name=name_of_file),
        )

    def join(self, url: str, credentials: SessionCredentials, name: str = "", site: str = "") -> bool:
        """Join the session of a join URL; False (and the reason shown) when it cannot."""
        try:
            broker, _ = parse_join_url(url)
        except SessionError as exc:
            return self._failed(str(exc))
        return self._enter(broker, credentials, name, site, lambda c: c.join(url))

    def join_when_open(self, url: str, credentials: SessionCredentials, name: str = "", site: str = "") -> None:
        """`open --join`: join once the plant asked for is open (the session compares plants)."""
        w = self.window
        opening = getattr(w, "opening", False)
        if w.session.document is not None and not opening:
            self.join(url, credentials, name, site)
            return
        QTimer.singleShot(200, lambda: self.join_when_open(url, credentials, name, site))

    def _enter(
        self,
        broker_url: str,
        credentials: SessionCredentials,
        name: str,
        site: str,
        go: Callable[[SessionClient], object],
    ) -> bool:
        self.leave()
        try:
            client = SessionClient(broker_url, credentials, name=name, site=site)
        except (SessionError, ValueError, OSError) as exc:
            return self._failed(str(exc))
        self.client, self.known = client, {}
        self.bridge = SessionBridge(client, self)
        self._connect_bridge(self.bridge)
        for part in (self.view, self.plant, self.pointer):
            part.attach(client)
        self.follow_action.setChecked(True)
        try:
            go(client)
        except (SessionError, ValueError, OSError) as exc:
            self.leave()
            return self._failed(str(exc))
        self.dock.set_session(client.join_url)
        self.dock.show()
        self.dock.raise_()
        self._roster(client.roster)
        self._connection(client.connection.value)
        self._update_actions()
        if client.is_leader:
            self.view.took_control()
            self.plant.announce()
        return True

    def _failed(self, text: str) -> bool:
        self.last_error = text
        self.window._report([Message(Severity.ERROR, f"session: {text}")])
        return False

    def _connect_bridge(self, bridge: SessionBridge) -> None:
        bridge.connection_changed.connect(self._connection)
        bridge.roster_changed.connect(self._roster)
        bridge.leadership_changed.connect(self._leadership)
        bridge.view_received.connect(self.view.apply_view)
        bridge.camera_received.connect(self.view.apply_camera)
        bridge.pointer_moved.connect(self.pointer.moved)
        bridge.topics_received.connect(self.plant.receive_topics)
        bridge.control_requested.connect(self._control_requested)
        bridge.control_declined.connect(self._control_declined)
        # Bound methods of QObjects of this thread only: a lambda would run on paho's thread.
        bridge.document_info_changed.connect(self.plant.info_changed)
        bridge.document_offered.connect(self.plant.offered)
        bridge.document_received.connect(self.plant.document_received)
        bridge.document_failed.connect(self.plant.document_failed)
        bridge.session_ended.connect(self._ended)

    def leave(self) -> None:
        """Leave the session (it goes on for the others); the view stays as it is."""
        client, self.client = self.client, None
        if self.bridge is not None:
            self.bridge.detach()
            self.bridge.deleteLater()
            self.bridge = None
        for part in (self.view, self.plant, self.pointer):
            part.attach(None)
        self.bar.close_bar()
        if client is not None:
            client.leave()
            self._connection("disconnected")
            self.dock.set_roster([], "", False)
            self.dock.set_session("")
        self._update_actions()

    def end(self) -> None:
        """(Leader) end the session for everyone."""
        client = self.client
        if client is None:
            return
        try:
            client.end()
        except SessionError as exc:
            self._failed(str(exc))
            return
        self.leave()
        self.window.statusBar().showMessage("Session ended", 5000)

    def _ended(self, by: str) -> None:
        name = self.known.get(by, by)  # their presence is cleared by now
        self.leave()
        self.window._report([Message(Severity.INFO, f"the session was ended by {name}")])
        self.window.statusBar().showMessage(f"Session ended by {name}", 8000)

    def _window_closed(self) -> None:
        self.leave()
        self.plant.shutdown()

    # ------------------------------------------------------------ following and control

    def set_following(self, on: bool) -> None:
        """Stop following: stay where you are. Follow again: the leader's view now."""
        self.follow_action.setChecked(on)
        if self.client is not None:
            self.client.follow(on)
        self._roster(self.client.roster if self.client is not None else ())

    def request_control(self) -> None:
        if self.client is not None:
            self.client.request_control()
            self.window.statusBar().showMessage("Session: control requested from the leader", 5000)

    def grant(self, username: str) -> None:
        self._as_leader(lambda client: client.grant(username))

    def hand_back(self) -> None:
        self._as_leader(lambda client: client.hand_back())

    def decline(self, username: str) -> None:
        self._as_leader(lambda client: client.decline(username))

    def _as_leader(self, act: Callable[[SessionClient], None]) -> None:
        """A leader's step on the session; what the client refuses (no longer leading) is said, not raised."""
        if self.client is None:
            return
        try:
            act(self.client)
        except SessionError as exc:
            self._failed(str(exc))

    def _control_requested(self, username: str) -> None:
        if self.client is None or not self.client.is_leader:
            return
        name = self.plant.name_of(username)
        self.bar.ask(
            "control",
            f"<b>{name}</b> ({username}) asks for control of the session.",
            [("Grant", lambda: self.grant(username)), ("Decline", lambda: self.decline(username))],
        )

    def _control_declined(self, leader: str) -> None:
        self.window.statusBar().showMessage(f"Session: {self.plant.name_of(leader)} declined your request for "
                                            "control", 10000)  # fmt: skip

    def _leadership(self, leader: str, epoch: int) -> None:
        client = self.client
        if client is None:
            return
        self._update_actions()
        if client.is_leader:
            self.bar.close_bar("differs")
            self.view.took_control()
            self.plant.announce()
        else:
            self.bar.close_bar("control")
            self.plant.check_same_plant()
        self.window.statusBar().showMessage(f"Session: {self.plant.name_of(leader)} leads", 5000)

    def _roster(self, roster: object) -> None:
        client = self.client
        entries = tuple(roster) if client is not None else ()  # type: ignore[call-overload]
        me = client.username if client is not None else ""
        self.dock.set_roster(entries, me, client is not None and client.is_leader)
        names = {e.username: e.name for e in entries}
        if client is not None and client.is_leader and set(names) - set(self.pointer.names):
            self.plant.announce()  # offers are not retained: whoever joined since needs one
        self.pointer.roster(names)
        self.known.update(names)
        self._update_actions()

    def _connection(self, state: str) -> None:
        self.dock.set_state(state)
        self.status.setText(f"Session: {state_html(state)}  ")
        self.status.setVisible(state != "disconnected")
        client = self.client
        if state == "refused" and client is not None:
            self.window._report([Message(Severity.ERROR, f"session: {client.last_error}")])  # the dock is red
        if state == "connected" and client is not None and not client.is_leader:
            self.plant.check_same_plant()


def install_session_ui(window: SessionHost) -> SessionUi:
    """Session menu, dock, bar and status; `window.session_ui` is the result."""
    ui = SessionUi(window)
    window.session_ui = ui  # type: ignore[attr-defined]
    return ui
