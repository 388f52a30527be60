// The interop scenario (tests/interop/scenario.py) with @bitrix24/b24jssdk, as a team would write it.
//
// Run with node in its own process: the scenario as JSON on stdin, the results as JSON on stdout.
// Only the SDK's public API: B24Hook.fromWebhookUrl, actions.v2.call.make, actions.v2.batch.make
// (the non-deprecated forms). It trusts the emulator's CA through NODE_EXTRA_CA_CERTS, which
// Node.js reads at start-up.
import { AjaxError, B24Hook } from '@bitrix24/b24jssdk'

async function readStdin () {
  const chunks = []
  for await (const chunk of process.stdin) chunks.push(chunk)
  return JSON.parse(Buffer.concat(chunks).toString('utf8'))
}

const { webhook_url: webhookUrl, badge, missing } = await readStdin()
const b24 = B24Hook.fromWebhookUrl(webhookUrl)
const call = async (method, params) => (await b24.actions.v2.call.make({ method, params })).getData().result

const results = {
  add: await call('crm.activity.badge.add', badge),
  get: await call('crm.activity.badge.get', { code: badge.code }),
  list: await call('crm.activity.badge.list')
}
try {
  await call('crm.activity.badge.get', { code: missing })
} catch (error) {
  if (!(error instanceof AjaxError)) throw error
  results.error = { type: error.name, code: error.code, status: error.status, message: error.message }
}
const batch = await b24.actions.v2.batch.make({
  calls: {
    get: { method: 'crm.activity.badge.get', params: { code: badge.code } },
    list: { method: 'crm.activity.badge.list' }
  },
  options: { isHaltOnError: true }
})
results.batch = { isSuccess: batch.isSuccess, data: batch.getData(), errors: batch.getErrorMessages() }
results.delete = await call('crm.activity.badge.delete', { code: badge.code })
process.stdout.write(JSON.stringify(results))
