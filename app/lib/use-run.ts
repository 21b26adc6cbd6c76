'use client';
// One run, live: joins the run's room first, then loads the stored history, and merges both by
// point id so a late joiner sees every point exactly once. Points go into an append-only log
// (point-log.ts) whose version tells readers to look again.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { RunImageView, RunView, StoredMetricPoint } from '../../lib/contracts/events';
import type { RunConfig } from '../../lib/contracts/run-config';
import { getSocket } from './socket';
import { trpc, errorMessage } from './trpc';
import { PointLog } from './point-log';

export interface LogLine {
  ts: number;
  level: string;
  message: string;
}

export function useRun(runId: string) {
  const [run, setRun] = useState<RunView | null>(null);
  const [config, setConfig] = useState<RunConfig | null>(null);
  const pointLog = useRef(new PointLog());
  const [pointsVersion, setPointsVersion] = useState(0);
  const [logs, setLogs] = useState<LogLine[]>([]);
  const [images, setImages] = useState<Map<number, RunImageView>>(new Map());
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const socket = getSocket();
    const log = new PointLog();
    pointLog.current = log;
    setPointsVersion(0);
    const addPoints = (incoming: StoredMetricPoint[]) => {
      if (log.add(incoming)) setPointsVersion(log.version);
    };
    const onMetrics = (msg: { runId: string; points: StoredMetricPoint[] }) => msg.runId === runId && addPoints(msg.points);
    const onUpdate = (r: RunView) => r.id === runId && setRun(r);
    const onLog = (msg: { runId: string } & LogLine) => msg.runId === runId && setLogs((l) => [...l, msg]);
    const addImages = (incoming: RunImageView[]) =>
      setImages((prev) => {
        const next = new Map(prev);
        for (const image of incoming) next.set(image.id, image);
        return next;
      });
    const onImage = (msg: { runId: string; image: RunImageView }) => msg.runId === runId && addImages([msg.image]);
    // Taken up again after a lost worker or server: what came after its saved epoch is trained anew.
    const onRewound = (msg: { runId: string; step: number }) => {
      if (msg.runId !== runId) return;
      if (log.truncateAfter(msg.step)) setPointsVersion(log.version);
      setImages((prev) => new Map([...prev].filter(([, image]) => image.step <= msg.step)));
    };
    // Join the room first; load the stored history once the server confirms, so that nothing sent
    // between the two is missed (duplicates merge by id). After a reconnect, join and load again.
    let active = true;
    const load = () => {
      trpc.runs.get.query({ id: runId }).then(
        (res) => {
          if (!active) return;
          setRun((live) => (live && live.progress >= res.run.progress ? live : res.run));
          setConfig(res.config);
          addImages(res.images);
          setLogs((live) => [...res.logs.map((l) => ({ ts: l.ts, level: l.level, message: l.message })), ...live.filter((l) => l.ts > (res.logs.at(-1)?.ts ?? 0))]);
        },
        (err) => setError(errorMessage(err)),
      );
      trpc.runs.metrics.query({ id: runId }).then((p) => active && addPoints(p), (err) => setError(errorMessage(err)));
    };
    const subscribe = () => socket.emit('run:subscribe', { runId }, () => load());
    socket.on('run:metrics', onMetrics);
    socket.on('run:updated', onUpdate);
    socket.on('run:log', onLog);
    socket.on('run:image', onImage);
    socket.on('run:rewound', onRewound);
    socket.on('connect', subscribe);
    if (socket.connected) subscribe();

    return () => {
      active = false;
      socket.emit('run:unsubscribe', { runId });
      socket.off('run:metrics', onMetrics);
      socket.off('run:updated', onUpdate);
      socket.off('run:log', onLog);
      socket.off('run:image', onImage);
      socket.off('run:rewound', onRewound);
      socket.off('connect', subscribe);
    };
  }, [runId]);

  const sortedImages = useMemo(() => [...images.values()].sort((a, b) => a.step - b.step || a.id - b.id), [images]);
  return { run, config, points: pointLog.current.all, pointsVersion, images: sortedImages, logs, error };
}
