// The machine's ceiling: a trivial Fastify JSON POST with schema validation, nothing else.
import Fastify from 'fastify';

const app = Fastify();
app.post(
  '/echo',
  {
    schema: {
      body: {
        type: 'object',
        properties: { id: { type: 'string' }, n: { type: 'integer' } },
        required: ['id', 'n'],
      },
    },
  },
  async (request) => {
    const body = request.body as { id: string; n: number };
    return { id: body.id, n: body.n + 1 };
  },
);
await app.listen({ port: Number(process.env.PORT ?? 8181), host: '127.0.0.1' });
console.log('ready');
