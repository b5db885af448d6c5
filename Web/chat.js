"use strict";
(() => {
  const params = new URLSearchParams(location.search);
  const RELAY_ONLY = params.get("relay") === "1";
  const OFFICIAL_CLIENT = params.get("client") === "official";
  const STATS_INTERVAL_MS = 1000;
  const JOIN_TIMEOUT_MS = 15000;
  const ICE_SERVERS_WAIT_MS = 5000;

  const $ = (id) => document.getElementById(id);
  const ui = {
    lobby: $("lobby"),
    joinForm: $("join-form"),
    username: $("username"),
    roomname: $("roomname"),
    joinButton: $("join-button"),
    joinError: $("join-error"),
    relayHint: $("relay-hint"),
    call: $("call"),
    grid: $("grid"),
    roomTitle: $("room-title"),
    signal: $("signal"),
    mediaNotice: $("media-notice"),
    micButton: $("mic-button"),
    cameraButton: $("camera-button"),
    screenButton: $("screen-button"),
    leaveButton: $("leave-button"),
    chatLog: $("chat-log"),
    chatForm: $("chat-form"),
    chatInput: $("chat-input"),
    tileTemplate: $("tile-template"),
  };

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
    const parts = [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)];
    return parts.join("-");
  }

  function deferred() {
    let resolve;
    const promise = new Promise((done) => (resolve = done));
    return { promise, resolve };
  }

  const state = {
    userId: uuid(), // dialect A's user id: one per page load, kept across socket reconnects
    phase: "idle", // idle → joining → joined
    username: "",
    roomname: "",
    socket: null,
    iceServers: null, // from the `iceServers` event
    iceRefreshTimer: null, // renews them before their TURN credentials expire (`ttl`)
    iceReady: deferred(),
    joinTimer: null,
    localStream: null,
    microphoneTrack: null,
    cameraTrack: null,
    screenTrack: null,
    micOn: true,
    cameraOn: true,
    selfTile: null,
    peers: new Map(), // own connectorId → peer
    messages: [],
  };

  // ---- Signaling ---------------------------------------------------------------------------

  function createSocket() {
    if (OFFICIAL_CLIENT) {
      if (typeof window.io !== "function") {
        throw new Error("?client=official needs the official Socket.IO client loaded as window.io");
      }
      return window.io({ reconnection: true });
    }
    return window.SwitchboardIO.connect();
  }

  function ensureSocket() {
    if (state.socket) return state.socket;
    const socket = createSocket();
    state.socket = socket;
    setSignal("connecting");
    socket.on("connect", onConnect);
    socket.on("disconnect", () => setSignal("connecting"));
    socket.on("connect_error", () => setSignal("offline"));
    socket.on("iceServers", onIceServers);
    socket.on("getOffer", guard(onGetOffer));
    socket.on("offer", guard(onOffer));
    socket.on("answer", guard(onAnswer));
    socket.on("icecandidate", guard(onIceCandidate));
    socket.on("leave", guard(onLeave));
    socket.on("reconnect", guard(onReconnect));
    socket.on("error", onServerError);
    return socket;
  }

  function emit(event, payload) {
    if (state.socket) state.socket.emit(event, payload);
  }

  function guard(handler) {
    return (payload) => {
      Promise.resolve()
        .then(() => handler(payload || {}))
        .catch((error) => console.error("signaling handler failed", error));
    };
  }

  function setSignal(value) {
    ui.signal.dataset.state = value;
    ui.signal.textContent = value;
  }

  function onConnect() {
    setSignal("online");
    const user = { id: state.userId, username: state.username, roomname: state.roomname };
    if (state.phase === "joining") emit("join", user);
    else if (state.phase === "joined") emit("reconnect", user); // keeps our slot in the room
  }

  // Sent right after an accepted join (and after a reconnect): the join is confirmed.
  function onIceServers(payload) {
    setIceServers(payload);
    state.iceReady.resolve();
    if (state.phase === "joining") enterCall();
  }

  function onServerError(payload) {
    const type = payload && payload.type;
    // Refusals of signaling to a peer that left (notInRoom, notJoined) say nothing about the join.
    if (state.phase !== "joining" || type === "notInRoom" || type === "notJoined") {
      console.warn("server error", payload);
      return;
    }
    const messages = {
      repeat: "That name is already taken in this room. Choose another one.",
      full: "This room is full.",
    };
    failJoin(messages[type] || (payload && payload.message) || "The server refused to join.");
  }

  // The join's ICE servers. Before their credentials expire (a long call), fresh ones come the way they
  // come after a dropped connection: `reconnect` with our user keeps our place in the room and the server
  // answers with a new `iceServers` event.
  function setIceServers(payload) {
    state.iceServers = (payload && payload.iceServers) || [];
    const ttl = Number(payload && payload.ttl) || 86400;
    clearTimeout(state.iceRefreshTimer);
    // 90 % of the lifetime, in milliseconds (within setTimeout's limit).
    state.iceRefreshTimer = setTimeout(renewIceServers, Math.min(ttl * 900, 2147483647));
  }

  function renewIceServers() {
    if (state.phase !== "joined") return;
    // Only while every negotiation is settled: the server knows every peer then, so the `reconnect`
    // asks nobody for a new offer.
    if (![...state.peers.values()].every((peer) => peer.pc.signalingState === "stable")) {
      state.iceRefreshTimer = setTimeout(renewIceServers, 1000);
      return;
    }
    emit("reconnect", { id: state.userId, username: state.username, roomname: state.roomname });
  }

  async function rtcConfiguration() {
    if (!state.iceServers) {
      const timeout = new Promise((resolve) => setTimeout(resolve, ICE_SERVERS_WAIT_MS));
      await Promise.race([state.iceReady.promise, timeout]);
    }
    return { iceServers: state.iceServers || [], iceTransportPolicy: RELAY_ONLY ? "relay" : "all" };
  }

  // ---- Joining and leaving -----------------------------------------------------------------

  async function join(event) {
    event.preventDefault();
    if (state.phase !== "idle") return;
    const username = ui.username.value.trim();
    const roomname = ui.roomname.value.trim();
    if (!username || !roomname) return;
    try {
      localStorage.setItem("switchboard.username", username);
    } catch (error) {
      // private mode: not remembered
    }
    state.username = username;
    state.roomname = roomname;
    state.iceServers = null;
    state.iceReady = deferred();
    setPhase("joining");
    ui.joinError.hidden = true;
    await startLocalMedia();
    if (state.phase !== "joining") return;
    let socket;
    try {
      socket = ensureSocket();
    } catch (error) {
      failJoin(error.message);
      return;
    }
    if (socket.connected) onConnect();
    clearTimeout(state.joinTimer);
    state.joinTimer = setTimeout(() => {
      if (state.phase === "joining") failJoin("The server did not answer. Try again.");
    }, JOIN_TIMEOUT_MS);
  }

  function enterCall() {
    clearTimeout(state.joinTimer);
    setPhase("joined");
    ui.lobby.hidden = true;
    ui.call.hidden = false;
    ui.roomTitle.textContent = `Room: ${state.roomname}`;
    document.title = `${state.roomname} · Switchboard`;
    const url = new URL(location.href);
    url.searchParams.set("room", state.roomname);
    history.replaceState(null, "", url);
    state.selfTile = createTile({ self: true });
    state.selfTile.dataset.username = state.username;
    state.selfTile.querySelector(".name").textContent = `${state.username} (you)`;
    showSelfPreview();
    updateSelfBadges();
    updateControls();
    addSystemMessage(`You joined ${state.roomname}.`);
  }

  function failJoin(message) {
    clearTimeout(state.joinTimer);
    stopLocalMedia();
    setPhase("idle");
    ui.joinError.textContent = message;
    ui.joinError.hidden = false;
  }

  function leaveList() {
    return [...state.peers.values()].map((peer) => ({
      remoteConnectorId: peer.remoteConnectorId || undefined,
      memberId: peer.memberId,
    }));
  }

  function leave() {
    if (state.phase === "idle") return;
    emit("leave", leaveList());
    for (const peer of [...state.peers.values()]) closePeer(peer);
    stopLocalMedia();
    if (state.selfTile) state.selfTile.remove();
    state.selfTile = null;
    updateGridCount();
    ui.chatLog.replaceChildren();
    state.messages = [];
    setPhase("idle");
    ui.call.hidden = true;
    ui.lobby.hidden = false;
    ui.roomTitle.textContent = "";
    document.title = "Switchboard video chat";
  }

  function setPhase(phase) {
    state.phase = phase;
    document.body.dataset.phase = phase;
    ui.joinButton.disabled = phase !== "idle";
    ui.joinButton.textContent = phase === "joining" ? "Joining…" : "Join";
  }

  // ---- Local media -------------------------------------------------------------------------

  async function startLocalMedia() {
    if (state.localStream) return;
    ui.mediaNotice.hidden = true;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      showNotice("Camera and microphone need HTTPS (or localhost). You can still watch and chat.");
      return;
    }
    const video = { width: { ideal: 640 }, height: { ideal: 360 } };
    const attempts = [{ audio: true, video }, { video }, { audio: true }];
    let lastError = null;
    for (const constraints of attempts) {
      try {
        state.localStream = await navigator.mediaDevices.getUserMedia(constraints);
        break;
      } catch (error) {
        lastError = error;
      }
    }
    if (!state.localStream) {
      showNotice(`No camera or microphone (${lastError && lastError.name}). You can still watch and chat.`);
      return;
    }
    state.microphoneTrack = state.localStream.getAudioTracks()[0] || null;
    state.cameraTrack = state.localStream.getVideoTracks()[0] || null;
    if (state.microphoneTrack) state.microphoneTrack.enabled = state.micOn;
    if (state.cameraTrack) state.cameraTrack.enabled = state.cameraOn;
    if (!state.microphoneTrack) showNotice("No microphone found: others will not hear you.");
    if (!state.cameraTrack) showNotice("No camera found: others will not see you.");
  }

  function stopLocalMedia() {
    if (state.screenTrack) state.screenTrack.stop();
    if (state.localStream) for (const track of state.localStream.getTracks()) track.stop();
    state.localStream = null;
    state.microphoneTrack = null;
    state.cameraTrack = null;
    state.screenTrack = null;
  }

  function showNotice(text) {
    ui.mediaNotice.textContent = text;
    ui.mediaNotice.hidden = false;
  }

  function outgoingTrack(kind) {
    return kind === "audio" ? state.microphoneTrack : state.screenTrack || state.cameraTrack;
  }

  function showSelfPreview() {
    if (!state.selfTile) return;
    const track = state.screenTrack || state.cameraTrack;
    const video = state.selfTile.querySelector("video");
    video.srcObject = track ? new MediaStream([track]) : null;
    state.selfTile.classList.toggle("screen", Boolean(state.screenTrack));
    play(video);
  }

  function toggleMicrophone() {
    state.micOn = !state.micOn;
    if (state.microphoneTrack) state.microphoneTrack.enabled = state.micOn;
    updateControls();
    updateSelfBadges();
    broadcastProfile();
  }

  function toggleCamera() {
    state.cameraOn = !state.cameraOn;
    if (state.cameraTrack) state.cameraTrack.enabled = state.cameraOn;
    updateControls();
    updateSelfBadges();
    broadcastProfile();
  }

  // Screen sharing replaces the outgoing video track on every connection: no renegotiation.
  async function toggleScreenShare() {
    if (state.screenTrack) {
      stopScreenShare();
      return;
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    } catch (error) {
      if (error.name !== "NotAllowedError") showNotice(`Screen sharing failed: ${error.message}`);
      return;
    }
    if (state.phase !== "joined") {
      for (const track of stream.getTracks()) track.stop();
      return;
    }
    state.screenTrack = stream.getVideoTracks()[0];
    state.screenTrack.addEventListener("ended", stopScreenShare);
    replaceOutgoingVideo();
    showSelfPreview();
    updateControls();
    updateSelfBadges();
    broadcastProfile();
  }

  function stopScreenShare() {
    if (!state.screenTrack) return;
    state.screenTrack.removeEventListener("ended", stopScreenShare);
    state.screenTrack.stop();
    state.screenTrack = null;
    replaceOutgoingVideo();
    showSelfPreview();
    updateControls();
    updateSelfBadges();
    broadcastProfile();
  }

  function replaceOutgoingVideo() {
    for (const peer of state.peers.values()) {
      if (peer.streamType !== "user") continue;
      const transceiver = transceiverFor(peer, "video");
      if (transceiver) transceiver.sender.replaceTrack(outgoingTrack("video")).catch(console.warn);
    }
  }

  function updateControls() {
    setToggle(ui.micButton, state.micOn, "Mute mic", "Unmute mic");
    setToggle(ui.cameraButton, state.cameraOn, "Stop camera", "Start camera");
    ui.screenButton.setAttribute("aria-pressed", String(Boolean(state.screenTrack)));
    ui.screenButton.textContent = state.screenTrack ? "Stop sharing" : "Share screen";
    ui.screenButton.disabled = !(navigator.mediaDevices && navigator.mediaDevices.getDisplayMedia);
  }

  function setToggle(button, on, onLabel, offLabel) {
    button.setAttribute("aria-pressed", String(on));
    button.classList.toggle("off", !on);
    button.textContent = on ? onLabel : offLabel;
  }

  function updateSelfBadges() {
    if (!state.selfTile) return;
    state.selfTile.querySelector(".muted-badge").hidden = state.micOn;
    state.selfTile.dataset.camera = sendsVideo() ? "on" : "off";
    const badge = state.selfTile.querySelector(".connection-badge");
    badge.textContent = RELAY_ONLY ? "you · relay only" : "you";
  }

  // ---- Peer connections --------------------------------------------------------------------

  async function createPeer({ memberId, streamType, remoteConnectorId = null }) {
    const configuration = await rtcConfiguration();
    const peer = {
      connectorId: uuid(),
      memberId,
      remoteConnectorId,
      streamType, // "user", or "remoteDisplay" for a sharer's display connection
      username: null,
      pc: new RTCPeerConnection(configuration),
      channel: null,
      remoteTracks: [],
      pendingLocalCandidates: [],
      pendingRemoteCandidates: [],
      remoteDescriptionSet: false,
      connectionType: "unknown",
      connectionDetail: "",
      remoteMicOn: true,
      remoteCameraOn: true,
      tile: null,
    };
    state.peers.set(peer.connectorId, peer);
    peer.tile = createTile({ peer });
    const { pc } = peer;
    pc.onicecandidate = ({ candidate }) => {
      if (!candidate) return;
      const init = candidate.toJSON();
      if (peer.remoteConnectorId) sendCandidate(peer, init);
      else peer.pendingLocalCandidates.push(init);
    };
    pc.ontrack = ({ track }) => {
      if (!peer.remoteTracks.includes(track)) peer.remoteTracks.push(track);
      const video = peer.tile.querySelector("video");
      video.srcObject = new MediaStream(peer.remoteTracks);
      play(video);
    };
    pc.ondatachannel = ({ channel }) => {
      if (channel.label === "chat") bindChannel(peer, channel);
    };
    pc.onconnectionstatechange = () => {
      peer.tile.dataset.connectionState = pc.connectionState;
      // A channel that opened before the media path settled may have lost its first profile: send it again.
      if (pc.connectionState === "connected") sendProfile(peer);
      if (pc.connectionState === "failed") setConnectionType(peer, "failed", "ICE failed");
    };
    return peer;
  }

  function sendCandidate(peer, candidate) {
    emit("icecandidate", { remoteConnectorId: peer.remoteConnectorId, memberId: peer.memberId, candidate });
  }

  function transceiverFor(peer, kind) {
    return peer.pc.getTransceivers().find((transceiver) => transceiver.receiver.track.kind === kind);
  }

  async function remoteDescriptionSet(peer) {
    peer.remoteDescriptionSet = true;
    for (const candidate of peer.pendingRemoteCandidates.splice(0)) {
      await peer.pc.addIceCandidate(candidate).catch((error) => console.warn("addIceCandidate", error));
    }
  }

  // An existing member is told a newcomer joined: it offers.
  async function onGetOffer({ memberId }) {
    if (state.phase !== "joined" || !memberId) return;
    const peer = await createPeer({ memberId, streamType: "user" });
    const streams = state.localStream ? [state.localStream] : [];
    for (const kind of ["audio", "video"]) {
      peer.pc.addTransceiver(outgoingTrack(kind) || kind, { direction: "sendrecv", streams });
    }
    bindChannel(peer, peer.pc.createDataChannel("chat"));
    const offer = await peer.pc.createOffer();
    await peer.pc.setLocalDescription(offer);
    emit("offer", {
      connectorId: peer.connectorId,
      memberId,
      offer: { type: offer.type, sdp: offer.sdp },
      streamType: "user",
    });
  }

  // The newcomer answers each member's offer ("display" offers come from a sharing original client:
  // watched, not answered with our media).
  async function onOffer({ remoteConnectorId, memberId, offer, streamType }) {
    if (state.phase === "idle" || !offer || !memberId) return;
    const type = streamType === "user" || !streamType ? "user" : "remoteDisplay";
    const peer = await createPeer({ memberId, streamType: type, remoteConnectorId });
    await peer.pc.setRemoteDescription(offer);
    await remoteDescriptionSet(peer);
    if (type === "user") {
      for (const kind of ["audio", "video"]) {
        const transceiver = transceiverFor(peer, kind);
        if (!transceiver) continue;
        const track = outgoingTrack(kind);
        if (track) await transceiver.sender.replaceTrack(track);
        if (state.localStream && transceiver.sender.setStreams) {
          transceiver.sender.setStreams(state.localStream);
        }
        transceiver.direction = "sendrecv";
      }
    } else {
      peer.tile.classList.add("display");
    }
    const answer = await peer.pc.createAnswer();
    await peer.pc.setLocalDescription(answer);
    emit("answer", {
      remoteConnectorId,
      connectorId: peer.connectorId,
      memberId,
      answer: { type: answer.type, sdp: answer.sdp },
      streamType: type,
    });
  }

  async function onAnswer({ remoteConnectorId, connectorId, memberId, answer }) {
    const peer = state.peers.get(connectorId);
    if (!peer || !answer) return;
    peer.remoteConnectorId = remoteConnectorId;
    if (memberId) peer.memberId = memberId;
    for (const candidate of peer.pendingLocalCandidates.splice(0)) sendCandidate(peer, candidate);
    await peer.pc.setRemoteDescription(answer);
    await remoteDescriptionSet(peer);
  }

  async function onIceCandidate({ connectorId, candidate }) {
    const peer = state.peers.get(connectorId);
    if (!peer || !candidate) return;
    if (!peer.remoteDescriptionSet) {
      peer.pendingRemoteCandidates.push(candidate);
      return;
    }
    await peer.pc.addIceCandidate(candidate).catch((error) => console.warn("addIceCandidate", error));
  }

  function onLeave({ connectorId, memberId }) {
    if (connectorId && state.peers.has(connectorId)) {
      closePeer(state.peers.get(connectorId));
      return;
    }
    for (const peer of [...state.peers.values()]) if (peer.memberId === memberId) closePeer(peer);
  }

  // After our own socket reconnected: the server tells us which peers are gone.
  function onReconnect({ type, memberId }) {
    if (type !== "leave") return; // renegotiation requests: the media path survives without it
    for (const peer of [...state.peers.values()]) {
      if (!memberId || peer.memberId === memberId) closePeer(peer);
    }
  }

  function closePeer(peer) {
    if (!state.peers.has(peer.connectorId)) return;
    state.peers.delete(peer.connectorId);
    if (peer.channel) peer.channel.onclose = null;
    peer.pc.close();
    peer.tile.remove();
    updateGridCount();
    if (peer.username && state.phase === "joined" && peer.streamType === "user") {
      addSystemMessage(`${peer.username} left.`);
    }
  }

  // ---- DataChannel: names, mute state, chat -----------------------------------------------

  function bindChannel(peer, channel) {
    peer.channel = channel;
    const opened = () => {
      sendProfile(peer);
      peer.tile.dataset.channel = "open";
    };
    channel.onopen = opened;
    channel.onclose = () => {
      // The other side closed its peer connection: it is gone, whatever the server says later.
      if (state.peers.get(peer.connectorId) === peer) closePeer(peer);
    };
    channel.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      receiveChannelMessage(peer, message || {});
    };
    // The answerer's channel (from `datachannel`) may already be open when it is handed over.
    if (channel.readyState === "open") opened();
  }

  function channelSend(peer, message) {
    if (peer.channel && peer.channel.readyState === "open") peer.channel.send(JSON.stringify(message));
  }

  function sendProfile(peer) {
    channelSend(peer, {
      type: "profile",
      data: { id: state.userId, username: state.username, audio: sendsAudio(), video: sendsVideo() },
    });
  }

  function sendsAudio() {
    return Boolean(state.microphoneTrack) && state.micOn;
  }

  function sendsVideo() {
    return Boolean(state.screenTrack) || (Boolean(state.cameraTrack) && state.cameraOn);
  }

  function broadcastProfile() {
    for (const peer of state.peers.values()) sendProfile(peer);
  }

  function receiveChannelMessage(peer, { type, data }) {
    if (!data) return;
    if (type === "profile") {
      const first = !peer.username;
      peer.username = String(data.username || "");
      peer.remoteMicOn = data.audio !== false;
      peer.remoteCameraOn = data.video !== false;
      peer.tile.dataset.camera = peer.remoteCameraOn ? "on" : "off";
      peer.tile.dataset.username = peer.username;
      peer.tile.querySelector(".name").textContent = peer.username;
      peer.tile.querySelector(".muted-badge").hidden = peer.remoteMicOn;
      if (first && peer.streamType === "user") addSystemMessage(`${peer.username} is here.`);
      // Answer the first profile with ours: if the one sent on open was missed, this one repairs it (once).
      if (first) sendProfile(peer);
    } else if (type === "chat" && data.type === "text") {
      addMessage({
        from: String(data.username || peer.username || "someone"),
        text: String(data.text || ""),
        time: String(data.HHmmss || clock()),
        self: false,
      });
    } else if (type === "close" && data.connectorId && state.peers.has(data.connectorId)) {
      closePeer(state.peers.get(data.connectorId)); // an original client stopped sharing its screen
    }
  }

  function clock() {
    return new Date().toTimeString().slice(0, 8);
  }

  function sendChat(event) {
    event.preventDefault();
    const text = ui.chatInput.value.trim();
    if (!text || state.phase !== "joined") return;
    const message = {
      id: uuid(),
      isSelf: false,
      username: state.username,
      HHmmss: clock(),
      type: "text",
      text,
    };
    for (const peer of state.peers.values()) {
      if (peer.streamType === "user") channelSend(peer, { type: "chat", data: message });
    }
    addMessage({ from: state.username, text, time: message.HHmmss, self: true });
    ui.chatInput.value = "";
  }

  function addMessage(message) {
    state.messages.push(message);
    const item = document.createElement("li");
    item.className = message.self ? "self" : "";
    item.dataset.from = message.from;
    const from = document.createElement("span");
    from.className = "from";
    from.textContent = message.from;
    const text = document.createElement("span");
    text.className = "text";
    text.textContent = message.text;
    const time = document.createElement("span");
    time.className = "time";
    time.textContent = message.time.slice(0, 5);
    item.append(from, text, time);
    ui.chatLog.append(item);
    ui.chatLog.scrollTop = ui.chatLog.scrollHeight;
  }

  function addSystemMessage(text) {
    const item = document.createElement("li");
    item.className = "system";
    item.textContent = text;
    ui.chatLog.append(item);
    ui.chatLog.scrollTop = ui.chatLog.scrollHeight;
  }

  // ---- Tiles and connection types ---------------------------------------------------------

  function createTile({ self = false, peer = null }) {
    const tile = ui.tileTemplate.content.firstElementChild.cloneNode(true);
    const video = tile.querySelector("video");
    if (self) {
      tile.classList.add("self");
      video.muted = true; // never play our own microphone back
      ui.grid.prepend(tile);
    } else {
      tile.dataset.memberId = peer.memberId;
      tile.dataset.connectorId = peer.connectorId;
      tile.dataset.streamType = peer.streamType;
      tile.querySelector(".name").textContent = "connecting…";
      tile.addEventListener("click", () => {
        if (video.muted) {
          video.muted = false;
          tile.classList.remove("needs-click");
        }
      });
      ui.grid.append(tile);
    }
    updateGridCount();
    return tile;
  }

  function updateGridCount() {
    ui.grid.dataset.count = String(ui.grid.children.length);
  }

  // Autoplay with sound can be refused before any click: then play muted until the tile is clicked.
  function play(video) {
    const attempt = video.play();
    if (!attempt) return;
    attempt.catch(() => {
      if (video.muted) return;
      video.muted = true;
      video.closest(".tile").classList.add("needs-click");
      video.play().catch(() => {});
    });
  }

  const CANDIDATE_RANK = { host: 1, srflx: 2, prflx: 2, relay: 3 };
  const CONNECTION_TYPES = { 1: "direct", 2: "server-reflexive", 3: "relayed" };

  // The selected candidate pair: relayed if either end is a relay candidate, server-reflexive if
  // either end is a reflexive one, direct otherwise.
  async function refreshConnectionType(peer) {
    const stats = await peer.pc.getStats();
    let pair = null;
    stats.forEach((report) => {
      if (report.type === "transport" && report.selectedCandidatePairId) {
        pair = stats.get(report.selectedCandidatePairId) || pair;
      }
    });
    if (!pair) {
      stats.forEach((report) => {
        const chosen = report.selected || report.nominated;
        if (report.type === "candidate-pair" && chosen && report.state === "succeeded") {
          pair = pair || report;
        }
      });
    }
    if (!pair) return;
    const local = stats.get(pair.localCandidateId);
    const remote = stats.get(pair.remoteCandidateId);
    if (!local || !remote) return;
    const rank = Math.max(
      CANDIDATE_RANK[local.candidateType] || 1,
      CANDIDATE_RANK[remote.candidateType] || 1
    );
    const type = CONNECTION_TYPES[rank];
    const protocol = local.relayProtocol || local.protocol || "";
    const detail =
      `${local.candidateType} ${local.protocol} ↔ ${remote.candidateType} ${remote.protocol}`;
    setConnectionType(peer, type, detail, protocol);
  }

  function setConnectionType(peer, type, detail, protocol = "") {
    peer.connectionType = type;
    peer.connectionDetail = detail;
    peer.tile.dataset.connectionType = type;
    const badge = peer.tile.querySelector(".connection-badge");
    badge.textContent = protocol ? `${type} · ${protocol}` : type;
    badge.title = detail;
  }

  setInterval(() => {
    for (const peer of state.peers.values()) {
      if (peer.pc.connectionState === "connected") refreshConnectionType(peer).catch(() => {});
    }
  }, STATS_INTERVAL_MS);

  // ---- Test hook ---------------------------------------------------------------------------

  function signalingTransport() {
    if (!state.socket) return null;
    const engine = state.socket.io && state.socket.io.engine; // the official client's Engine.IO socket
    return engine ? engine.transport && engine.transport.name : "websocket";
  }

  window.__switchboard = {
    snapshot() {
      const peers = [...state.peers.values()].map((peer) => {
        const video = peer.tile.querySelector("video");
        const sender = transceiverFor(peer, "video");
        const sending = sender && sender.sender.track;
        return {
          connectorId: peer.connectorId,
          remoteConnectorId: peer.remoteConnectorId,
          memberId: peer.memberId,
          streamType: peer.streamType,
          username: peer.username,
          connectionState: peer.pc.connectionState,
          connectionType: peer.connectionType,
          connectionDetail: peer.connectionDetail,
          channel: peer.channel ? peer.channel.readyState : "none",
          micOn: peer.remoteMicOn,
          cameraOn: peer.remoteCameraOn,
          sendingVideo: !sending ? "none" : sending === state.screenTrack ? "screen" : "camera",
          videoWidth: video.videoWidth,
          videoHeight: video.videoHeight,
          currentTime: video.currentTime,
          paused: video.paused,
        };
      });
      const preview = state.selfTile && state.selfTile.querySelector("video");
      return {
        phase: state.phase,
        userId: state.userId,
        username: state.username,
        roomname: state.roomname,
        client: OFFICIAL_CLIENT ? "official" : "builtin",
        socketId: state.socket ? state.socket.id || null : null,
        connected: Boolean(state.socket && state.socket.connected),
        transport: signalingTransport(),
        relayOnly: RELAY_ONLY,
        iceServers: state.iceServers,
        local: {
          audio: Boolean(state.microphoneTrack),
          video: Boolean(state.cameraTrack),
        },
        preview: {
          videoWidth: preview ? preview.videoWidth : 0,
          videoHeight: preview ? preview.videoHeight : 0,
        },
        sharing: Boolean(state.screenTrack),
        tiles: ui.grid.children.length,
        peers,
        messages: state.messages.slice(),
      };
    },
  };

  // ---- Wiring ------------------------------------------------------------------------------

  ui.joinForm.addEventListener("submit", join);
  ui.chatForm.addEventListener("submit", sendChat);
  ui.micButton.addEventListener("click", toggleMicrophone);
  ui.cameraButton.addEventListener("click", toggleCamera);
  ui.screenButton.addEventListener("click", toggleScreenShare);
  ui.leaveButton.addEventListener("click", leave);
  window.addEventListener("pagehide", () => {
    if (state.phase !== "idle") emit("leave", leaveList());
  });

  ui.relayHint.hidden = !RELAY_ONLY;
  let rememberedName = "";
  try {
    rememberedName = localStorage.getItem("switchboard.username") || "";
  } catch (error) {
    // private mode
  }
  ui.username.value = params.get("name") || rememberedName;
  ui.roomname.value = params.get("room") || "";
  (ui.username.value ? ui.roomname : ui.username).focus();
  updateControls();
})();
