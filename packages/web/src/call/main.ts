import { Room, type LocalTrack, type RemoteParticipant, type RemoteTrack } from '@liveport/sdk';

/**
 * The call page: join a room with camera and microphone, show everyone else, switch between
 * front and rear cameras on phones, and show how good the connection is.
 */
const params = new URLSearchParams(location.search);
const roomName = params.get('room') || 'demo';
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

let room: Room | undefined;
let camera: LocalTrack | undefined;
let microphone: LocalTrack | undefined;
let facing: 'user' | 'environment' = params.get('facing') === 'environment' ? 'environment' : 'user';

$('title').textContent = `Room ${roomName}`;
($('nameInput') as HTMLInputElement).value =
  params.get('name') || localStorage.getItem('liveport.name') || '';

function logEvent(text: string): void {
  const li = document.createElement('li');
  li.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  $('events').prepend(li);
}

function tileFor(id: string, label: string, local = false): HTMLElement {
  let tile = document.querySelector<HTMLElement>(`.tile[data-id="${CSS.escape(id)}"]`);
  if (!tile) {
    tile = document.createElement('div');
    tile.className = local ? 'tile local' : 'tile';
    tile.dataset.id = id;
    const video = document.createElement('video');
    video.autoplay = true;
    video.playsInline = true;
    video.muted = local;
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = label;
    tile.append(video, name);
    $('tiles').append(tile);
  }
  $('empty').hidden = document.querySelectorAll('.tile:not(.local)').length > 0;
  return tile;
}

function showRemote(track: RemoteTrack, p: RemoteParticipant): void {
  const tile = tileFor(p.sid, p.name);
  tile.dataset.identity = p.identity;
  if (track.kind === 'video') track.attach(tile.querySelector('video')!);
  else tile.append(track.attach());
}

async function cameraTrack(): Promise<MediaStreamTrack> {
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { facingMode: facing, width: { ideal: 1280 }, height: { ideal: 720 } },
  });
  return stream.getVideoTracks()[0]!;
}

async function join(name: string): Promise<void> {
  const res = await fetch(
    `/api/demo/token?room=${encodeURIComponent(roomName)}&name=${encodeURIComponent(name)}`,
  );
  const body = await res.json();
  if (!res.ok) throw new Error(body.error?.message ?? `token request failed (${res.status})`);
  room = await Room.connect(location.origin, body.token);
  (window as unknown as { liveportRoom: Room }).liveportRoom = room;
  document.body.dataset.state = 'joined';

  room.on('participantJoined', (p) => {
    tileFor(p.sid, p.name).dataset.identity = p.identity;
    logEvent(`${p.name} joined`);
  });
  room.on('participantLeft', (p) => {
    document.querySelector(`.tile[data-id="${CSS.escape(p.sid)}"]`)?.remove();
    $('empty').hidden = document.querySelectorAll('.tile:not(.local)').length > 0;
    logEvent(`${p.name} left the call`);
  });
  room.on('trackSubscribed', showRemote);
  room.on('muteRequested', (track, muted) => {
    logEvent(`a moderator ${muted ? 'muted' : 'unmuted'} your ${track.source}`);
    syncButtons();
  });
  room.on('disconnected', (reason) => {
    document.body.dataset.state = 'left';
    logEvent(`disconnected (${reason})`);
    $('quality').textContent = 'disconnected';
  });
  for (const p of room.participants.values()) tileFor(p.sid, p.name).dataset.identity = p.identity;

  const local = tileFor('local', `${name} (you)`, true);
  try {
    const video = await cameraTrack();
    const codec = params.get('codec');
    camera = await room.publishTrack(video, {
      source: 'camera',
      ...((codec === 'h264' || codec === 'vp8') && { videoCodec: codec }),
      simulcast: params.get('simulcast') === '1',
    });
    local.querySelector('video')!.srcObject = new MediaStream([video]);
    local.classList.toggle('rear', facing === 'environment');
  } catch (err) {
    logEvent(`camera unavailable: ${(err as Error).message}`);
  }
  try {
    microphone = await room.publishMicrophone();
  } catch (err) {
    logEvent(`microphone unavailable: ${(err as Error).message}`);
  }
  syncButtons();
  setInterval(() => void showStats(), 1000);
}

function syncButtons(): void {
  $('micButton').textContent = microphone?.muted ? 'Mic off' : 'Mic on';
  $('micButton').setAttribute('aria-pressed', String(!!microphone?.muted));
  $('camButton').textContent = camera?.muted ? 'Camera off' : 'Camera on';
  $('camButton').setAttribute('aria-pressed', String(!!camera?.muted));
  ($('micButton') as HTMLButtonElement).disabled = !microphone;
  ($('camButton') as HTMLButtonElement).disabled = !camera;
  ($('flipButton') as HTMLButtonElement).disabled = !camera;
}

let lastBytes = 0;
let lastAt = 0;
async function showStats(): Promise<void> {
  if (!room) return;
  const s = await room.getStats();
  const now = performance.now();
  const kbps = lastAt ? Math.round(((s.bytesReceived - lastBytes) * 8) / (now - lastAt)) : 0;
  lastBytes = s.bytesReceived;
  lastAt = now;
  const q = $('quality');
  q.dataset.level = s.quality;
  q.textContent =
    s.quality === 'unknown' ? 'connecting…' : `${s.quality} · ${s.rttMs ?? s.signalRttMs ?? '?'} ms`;
  $('stats').textContent =
    `rtt ${s.rttMs ?? '-'} ms · loss ${(s.receiveLoss * 100).toFixed(1)}% · in ${kbps} kbit/s` +
    (s.availableOutgoingKbps ? ` · out est. ${s.availableOutgoingKbps} kbit/s` : '') +
    (s.videoWidth
      ? ` · ${s.videoCodec?.replace('video/', '') ?? ''} ${s.videoWidth}x${s.videoHeight} ${s.videoFramesPerSecond ?? 0} fps`
      : '') +
    (s.jitterMs !== undefined ? ` · jitter ${s.jitterMs} ms` : '') +
    (s.freezeCount ? ` · ${s.freezeCount} freezes (${s.freezeSeconds.toFixed(1)} s)` : '');
}

async function toggleMute(track: LocalTrack | undefined): Promise<void> {
  if (!room || !track) return;
  const sent = room.setMuted(track, !track.muted); // the local state flips at once
  syncButtons();
  await sent.catch((err: Error) => logEvent(`could not change mute: ${err.message}`));
}
$('micButton').onclick = () => toggleMute(microphone);
$('camButton').onclick = () => toggleMute(camera);
$('flipButton').onclick = async () => {
  if (!room || !camera) return;
  const previous = facing;
  facing = facing === 'user' ? 'environment' : 'user';
  try {
    camera.mediaStreamTrack.stop(); // phones cannot open both cameras at once
    const next = await cameraTrack();
    await room.replaceTrack(camera, next);
    const local = tileFor('local', '', true);
    local.querySelector('video')!.srcObject = new MediaStream([next]);
    local.classList.toggle('rear', facing === 'environment');
  } catch (err) {
    facing = previous;
    logEvent(`could not switch camera: ${(err as Error).message}`);
  }
};
$('leaveButton').onclick = async () => {
  await room?.leave();
  document.querySelectorAll('.tile').forEach((t) => t.remove());
  logEvent('you left the call');
};
$('joinForm').onsubmit = async (ev) => {
  ev.preventDefault();
  const name = ($('nameInput') as HTMLInputElement).value.trim();
  ($('joinButton') as HTMLButtonElement).disabled = true;
  try {
    localStorage.setItem('liveport.name', name);
    await join(name);
    $('prejoin').hidden = true;
  } catch (err) {
    $('error').textContent = (err as Error).message;
    ($('joinButton') as HTMLButtonElement).disabled = false;
  }
};
syncButtons();
