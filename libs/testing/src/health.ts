/** The events a service holds until their cause is applied, as its `/health` lists them. */
export async function awaitingCauses(
  serviceUrl: string,
): Promise<Array<{ position: string; awaits: string; waitingSeconds: number }>> {
  const health = (await fetch(`${serviceUrl}/health`).then((response) => response.json())) as {
    info: { consumer: { awaitingCause: [] } };
  };
  return health.info.consumer.awaitingCause;
}
