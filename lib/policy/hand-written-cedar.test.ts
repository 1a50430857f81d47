import { describe, expect, it } from 'vitest';
import { compileHandWrittenCedar } from './hand-written-cedar';
import { defaultPolicyDocument } from './policy-document';

const problemsOf = (text: string) => {
  const answer = compileHandWrittenCedar(text, defaultPolicyDocument());
  return 'problems' in answer ? answer.problems : [];
};

// Issue 18: problems named Cedar's generated ids ("policy15") instead of the rules' @id.
describe('problems of hand-written Cedar', () => {
  const lists = '@id("lists")\npermit (principal, action == Leash::Action::"datasets.list", resource);\n\n';

  it("name the rule by its @id, with the line, and without Cedar's policyN", () => {
    const problems = problemsOf(`${lists}@id("owner-check")\n@reason("only mine")\npermit (principal, action == Leash::Action::"datasets.list", resource)\n  when { resource.owner == "me" };\n`);
    expect(problems).toEqual([{ policy: 'owner-check', line: 7, message: 'attribute `owner` on entity type `Leash::Resource` not found (did you mean `kind`?)' }]);
    expect(JSON.stringify(problems)).not.toMatch(/policy\d/);
  });

  it('name a rule without @id by its place, as decisions do, and say a mistake once however many actions it touches', () => {
    const problems = problemsOf(`${lists}${lists.replace('lists', 'again')}permit (principal, action, resource) when { context.nope == 1 };\n`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ policy: 'rule-3', line: 7 });
    expect(problems[0]!.message).toBe('attribute `nope` in context not found (did you mean `ip`?)');
  });

  it('give the line of a syntax error', () => {
    const problems = problemsOf(`${lists}@id("broken")\npermit (principal, action, resource) when { ;\n`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ policy: null, line: 5 });
  });

  it('count lines in characters, not bytes, after non-ASCII text', () => {
    const problems = problemsOf(
      `@id("lists")\n@reason("für Zoë 😀")\npermit (principal, action == Leash::Action::"datasets.list", resource);\n@id("x")\npermit (principal, action, resource) when { resource.owner == "me" };\n`,
    );
    expect(problems[0]).toMatchObject({ policy: 'x', line: 5 });
  });
});
