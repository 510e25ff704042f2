import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';

export const QUEUE_BOARD_PATH = '/admin/queues';

export interface QueueBoardOptions {
  queues: readonly Queue[];
  /** Retry, promote, clean, remove jobs, pause queues (LEADLOOP_ADMIN_QUEUE_ACTIONS=1). Default off: a read-only view. */
  actions: boolean;
}

/** bull-board at /admin/queues over every queue; registered inside the admin scope (the guard and its CSRF check run first). */
export async function queueBoardRoutes(app: FastifyInstance, options: QueueBoardOptions): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: options.queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode: !options.actions })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'leadloop queues' } },
  });
  await app.register(serverAdapter.registerPlugin(), { prefix: QUEUE_BOARD_PATH });
}
