import { describe, expect, it } from 'vitest';
import { numberPast64Bits } from '../../src/parse/numbers-past-64-bits.js';

describe('numberPast64Bits', () => {
  it('finds a number no 64-bit integer holds, as written', () => {
    expect(numberPast64Bits('{"Event":"SparkListenerJobStart","Job ID":0,"Submission Time":1e300}')).toBe('1e300');
    expect(numberPast64Bits('{"a":[1,2,18446744073709551616]}')).toBe('18446744073709551616');
    expect(numberPast64Bits('{"a":9223372036854775808}')).toBe('9223372036854775808');
    expect(numberPast64Bits('{"a":-9223372036854775809}')).toBe('-9223372036854775809');
    expect(numberPast64Bits('{"a": 1E400}')).toBe('1E400');
    expect(numberPast64Bits('{"a":{"b":-2.5e19}}')).toBe('-2.5e19');
  });

  it('finds a NaN or infinity, which JSON has not, wherever a lenient writer put one', () => {
    expect(numberPast64Bits('{"Attributes":{"CLUSTER_ID":Infinity}}')).toBe('Infinity');
    expect(numberPast64Bits('{"a":[1,-Infinity]}')).toBe('-Infinity');
    expect(numberPast64Bits('{"a":true,"b":NaN}')).toBe('NaN');
    expect(numberPast64Bits('{"a": -inf}')).toBe('-inf');
  });

  it('passes every number a 64-bit integer holds, doubles Spark writes, and digits inside strings', () => {
    expect(numberPast64Bits('{"a":9223372036854775807,"b":-9223372036854775808,"c":0,"d":-1}')).toBeNull();
    expect(numberPast64Bits('{"Amount":1.0E10,"Fraction":0.25,"e":1e-300}')).toBeNull();
    expect(numberPast64Bits('{"Stage Name":"x:18446744073709551616","q":"\\":1e300","Name":"1e400"}')).toBeNull();
    expect(numberPast64Bits('{"ok":true,"none":null,"list":[],"no":false}')).toBeNull();
    expect(numberPast64Bits('{"Name":"NaN","Host":"inf-1","x":"Infinity"}')).toBeNull();
  });
});
