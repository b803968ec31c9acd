/** The account notice rules of the channel kit: an SMS or email without a code goes out like any other. */
import type { AccountNoticeContext } from '../ports/channel.js';
import { describeError, settle, show } from './_helpers.js';
import type { ChannelSubject } from './channel-conformance.js';
import { type KitRule, must } from './kit.js';
import { accountNoticeLike } from './messages.js';

const KINDS: readonly AccountNoticeContext['kind'][] = ['enrolment_link', 'device_enrolled', 'phone_changed'];

/** Each kind of account notice, addressed like the subject's accepted message. */
function notices({ acceptedMessage }: ChannelSubject) {
  return KINDS.map((kind) => {
    const message = accountNoticeLike(acceptedMessage(), kind);
    must(message, 'the account notice rules need an SMS or email acceptedMessage().');
    return { kind, message, link: (message.context as AccountNoticeContext).link ?? '' };
  });
}

/** The rules about account notices; part of `channelRules`. @internal */
export const channelNoticeRules: readonly KitRule<ChannelSubject>[] = [
  {
    name: 'delivers an account notice (no code) with its link',
    needs: 'code route',
    async check(subject) {
      for (const { kind, message, link } of notices(subject)) {
        const before = (await subject.inspect.received()).length;
        const sent = await settle(() => subject.channel.send(message));
        if (!sent.ok)
          must(
            false,
            `send() of a ${kind} account notice threw (${describeError(sent.error)}); an SMS or email may carry no code: read context.code only after 'code' in context, and bound retries by context.expiresAt.`,
          );
        must(
          sent.value?.status === 'accepted',
          `send() of a ${kind} account notice answered ${show(sent.value)}; the provider takes it like a code message, so answer { status: 'accepted' }.`,
        );
        const received = (await subject.inspect.received()).slice(before);
        must(
          received.length === 1,
          `the provider received ${received.length} payloads for one ${kind} account notice; send exactly one.`,
        );
        must(
          received[0]!.includes(link),
          `the provider received a ${kind} account notice without its link; send the text core rendered (or render the link yourself).`,
        );
      }
    },
  },
  {
    name: "never logs an account notice's link or text",
    needs: 'logs & code route',
    async check(subject) {
      const sent = notices(subject);
      for (const { message } of sent) await settle(() => subject.channel.send(message));
      const logged = (await subject.inspect.logs!()).join('\n');
      for (const { kind, message, link } of sent) {
        must(
          link === '' || !logged.includes(link),
          `the channel logged the link of a ${kind} account notice; an enrolment link signs the end-user in: log ids and statuses only.`,
        );
        must(
          !logged.includes(message.text),
          `the channel logged the text of a ${kind} account notice; log ids and statuses only.`,
        );
      }
    },
  },
];
