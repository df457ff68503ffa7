import { Type } from '@sinclair/typebox';
import type { AnimeRepository } from '../../../platform/core/ports/anime-repository';
import { HttpProblem } from '../problem';
import { defineRoute } from '../route';

const StatusSchema = Type.Object({ status: Type.String() });
const HealthSchema = Type.Object({
  status: Type.String(),
  build: Type.String({ description: 'The commit this build is (BUILD_SHA), or `dev`' }),
});

export function healthRoutes(repository: AnimeRepository, build: string) {
  const alive = { status: 'ok', build };
  return [
    defineRoute({
      method: 'get',
      path: '/health',
      operationId: 'health',
      summary: 'Liveness: the process answers',
      description: 'Answers while the process runs, with the build it runs (BUILD_SHA).',
      tags: ['operations'],
      response: { status: 200, schema: HealthSchema, description: 'Alive, and which build answers' },
      handler: () => alive,
    }),
    defineRoute({
      method: 'get',
      path: '/ready',
      operationId: 'ready',
      summary: 'Readiness: the database answers',
      description: '503 while the database does not answer.',
      tags: ['operations'],
      response: { status: 200, schema: StatusSchema, description: 'Ready to serve' },
      problems: [503],
      handler: async () => {
        try {
          await repository.ping();
        } catch {
          throw new HttpProblem(503, 'the database is not reachable');
        }
        return { status: 'ready' };
      },
    }),
  ];
}
