// RUN: tg-opt %s -split-input-file -verify-diagnostics

// Every verifier error of the tg dialect, one case each.

func.func @dynamic_shape(%a: tensor<?xf32>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor}}
  %0 = tg.exp %a : tensor<?xf32>
  return
}

// -----

func.func @unsupported_element_type(%a: tensor<4xi8>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<4xi8>'}}
  %0 = tg.add %a, %a : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
  return
}

// -----

func.func @not_broadcastable(%a: tensor<4x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'tg.add' op operand shapes (4, 3) and (4,) are not broadcast-compatible}}
  %0 = tg.add %a, %b : (tensor<4x3xf32>, tensor<4xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @element_type_mismatch(%a: tensor<4xf32>, %b: tensor<4xf64>) {
  // expected-error @+1 {{'tg.mul' op operands must share their element type, found 'f64' and 'f32'}}
  %0 = tg.mul %b, %a : (tensor<4xf64>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @wrong_result_type(%a: tensor<4x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'tg.sub' op result type 'tensor<3x4xf32>' does not match the inferred type 'tensor<4x3xf32>'}}
  %0 = tg.sub %a, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @pow_on_integers(%a: tensor<4xi32>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values}}
  %0 = tg.pow %a, %a : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return
}

// -----

func.func @unary_on_integers(%a: tensor<4xi32>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values}}
  %0 = tg.exp %a : tensor<4xi32>
  return
}

// -----

func.func @cmp_not_bool(%a: tensor<4xf32>) {
  // expected-error @+1 {{result #0 must be statically shaped tensor of 1-bit signless integer values}}
  %0 = tg.cmp lt, %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @cmp_shape(%a: tensor<4xf32>, %b: tensor<f32>) {
  // expected-error @+1 {{'tg.cmp' op result type 'tensor<1xi1>' does not match the inferred type 'tensor<4xi1>'}}
  %0 = tg.cmp lt, %a, %b : (tensor<4xf32>, tensor<f32>) -> tensor<1xi1>
  return
}

// -----

func.func @cmp_bad_predicate(%a: tensor<4xf32>) {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'predicate' [eq, ne, lt, le, gt, ge]}}
  %0 = tg.cmp bigger, %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  return
}

// -----

func.func @select_pred_not_bool(%p: tensor<4xf32>, %a: tensor<4xf32>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 1-bit signless integer values}}
  %0 = tg.select %p, %a, %a : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @select_branch_types(%p: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<4xf16>) {
  // expected-error @+1 {{'tg.select' op operands must share their element type, found 'f32' and 'f16'}}
  %0 = tg.select %p, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<4xf16>) -> tensor<4xf16>
  return
}

// -----

func.func @select_shapes(%p: tensor<3xi1>, %a: tensor<4xf32>) {
  // expected-error @+1 {{'tg.select' op operand shapes (3,) and (4,) are not broadcast-compatible}}
  %0 = tg.select %p, %a, %a : (tensor<3xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @cast_shape(%a: tensor<4xf32>) {
  // expected-error @+1 {{'tg.cast' op changes only the element type, but the shape goes from (4,) to (2, 2)}}
  %0 = tg.cast %a : tensor<4xf32> to tensor<2x2xf16>
  return
}

// -----

func.func @matmul_rank1(%a: tensor<4xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{'tg.matmul' op operands must have rank 2 or more, found ranks 1 and 2}}
  %0 = tg.matmul %a, %b : (tensor<4xf32>, tensor<4x5xf32>) -> tensor<5xf32>
  return
}

// -----

func.func @matmul_contraction(%a: tensor<8x4xf32>, %b: tensor<5x5xf32>) {
  // expected-error @+1 {{'tg.matmul' op contraction dimensions differ: lhs (8, 4) has 4 columns but rhs (5, 5) has 5 rows}}
  %0 = tg.matmul %a, %b : (tensor<8x4xf32>, tensor<5x5xf32>) -> tensor<8x5xf32>
  return
}

// -----

func.func @matmul_batch(%a: tensor<2x8x4xf32>, %b: tensor<3x4x5xf32>) {
  // expected-error @+1 {{'tg.matmul' op batch dimensions (2,) and (3,) are not broadcast-compatible}}
  %0 = tg.matmul %a, %b : (tensor<2x8x4xf32>, tensor<3x4x5xf32>) -> tensor<2x8x5xf32>
  return
}

// -----

func.func @matmul_result(%a: tensor<8x4xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{'tg.matmul' op result type 'tensor<8x4xf32>' does not match the inferred type 'tensor<8x5xf32>'}}
  %0 = tg.matmul %a, %b : (tensor<8x4xf32>, tensor<4x5xf32>) -> tensor<8x4xf32>
  return
}

// -----

func.func @matmul_element_types(%a: tensor<8x4xf32>, %b: tensor<4x5xf64>) {
  // expected-error @+1 {{'tg.matmul' op operands must share their element type, found 'f32' and 'f64'}}
  %0 = tg.matmul %a, %b : (tensor<8x4xf32>, tensor<4x5xf64>) -> tensor<8x5xf32>
  return
}

// -----

func.func @transpose_not_permutation(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'tg.transpose' op permutation (0, 0) is not a permutation of the 2 dimensions of the operand}}
  %0 = tg.transpose %a [0, 0] : tensor<2x3xf32> -> tensor<2x2xf32>
  return
}

// -----

func.func @transpose_wrong_length(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'tg.transpose' op permutation (0,) is not a permutation of the 2 dimensions of the operand}}
  %0 = tg.transpose %a [0] : tensor<2x3xf32> -> tensor<2xf32>
  return
}

// -----

func.func @transpose_result(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'tg.transpose' op result type 'tensor<2x3xf32>' does not match the inferred type 'tensor<3x2xf32>'}}
  %0 = tg.transpose %a [1, 0] : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @reshape_count(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'tg.reshape' op cannot reshape (2, 3) (6 elements) into (4,) (4 elements)}}
  %0 = tg.reshape %a : tensor<2x3xf32> -> tensor<4xf32>
  return
}

// -----

func.func @reshape_element_type(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'tg.reshape' op cannot change the element type, from 'f32' to 'f64'}}
  %0 = tg.reshape %a : tensor<2x3xf32> -> tensor<6xf64>
  return
}

// -----

func.func @broadcast_incompatible(%a: tensor<2xf32>) {
  // expected-error @+1 {{'tg.broadcast_to' op cannot broadcast shape (2,) to (4, 3)}}
  %0 = tg.broadcast_to %a : tensor<2xf32> -> tensor<4x3xf32>
  return
}

// -----

func.func @broadcast_to_smaller(%a: tensor<4x3xf32>) {
  // expected-error @+1 {{'tg.broadcast_to' op cannot broadcast shape (4, 3) to (3,)}}
  %0 = tg.broadcast_to %a : tensor<4x3xf32> -> tensor<3xf32>
  return
}

// -----

func.func @broadcast_element_type(%a: tensor<3xf32>) {
  // expected-error @+1 {{'tg.broadcast_to' op cannot change the element type, from 'f32' to 'i32'}}
  %0 = tg.broadcast_to %a : tensor<3xf32> -> tensor<4x3xi32>
  return
}

// -----

func.func @reduce_axis_range(%a: tensor<4x3xf32>) {
  // expected-error @+1 {{'tg.reduce_sum' op axes (2,) must be unique and in [0, 2) for an operand of rank 2}}
  %0 = tg.reduce_sum %a [2] : tensor<4x3xf32> -> tensor<4xf32>
  return
}

// -----

func.func @reduce_axis_duplicate(%a: tensor<4x3xf32>) {
  // expected-error @+1 {{'tg.reduce_max' op axes (1, 1) must be unique and in [0, 2) for an operand of rank 2}}
  %0 = tg.reduce_max %a [1, 1] : tensor<4x3xf32> -> tensor<4xf32>
  return
}

// -----

func.func @reduce_no_axes(%a: tensor<4x3xf32>) {
  // expected-error @+1 {{'tg.reduce_min' op expects at least one axis to reduce}}
  %0 = tg.reduce_min %a [] : tensor<4x3xf32> -> tensor<4x3xf32>
  return
}

// -----

func.func @reduce_result(%a: tensor<4x3xf32>) {
  // expected-error @+1 {{'tg.reduce_sum' op result type 'tensor<3xf32>' does not match the reduced type 'tensor<4xf32>'}}
  %0 = tg.reduce_sum %a [1] : tensor<4x3xf32> -> tensor<3xf32>
  return
}

// -----

func.func @reduce_keepdims_result(%a: tensor<4x3xf32>) {
  // expected-error @+1 {{'tg.reduce_sum' op result type 'tensor<1x3xf32>' does not match the reduced type 'tensor<4x1xf32>' (keepdims)}}
  %0 = tg.reduce_sum %a [1] : tensor<4x3xf32> -> tensor<1x3xf32>
  return
}

// -----

func.func @reduce_mean_integers(%a: tensor<4x3xi32>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values}}
  %0 = tg.reduce_mean %a [1] : tensor<4x3xi32> -> tensor<4xi32>
  return
}

// -----

func.func @softmax_axis(%a: tensor<4x3xf32>) {
  // expected-error @+1 {{'tg.softmax' op axes (2,) must be unique and in [0, 2) for an operand of rank 2}}
  %0 = tg.softmax %a [2] : tensor<4x3xf32>
  return
}

// -----

func.func @log_softmax_axis(%a: tensor<f32>) {
  // expected-error @+1 {{'tg.log_softmax' op axes (0,) must be unique and in [0, 0) for an operand of rank 0}}
  %0 = tg.log_softmax %a [0] : tensor<f32>
  return
}

// -----

func.func @concat_axis(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'tg.concat' op axis 2 is out of range for rank 2}}
  %0 = tg.concat %a, %a [2] : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @concat_dims(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+1 {{'tg.concat' op input #1 has shape (2, 4) but input #0 has (2, 3); they may differ only along axis 0}}
  %0 = tg.concat %a, %b [0] : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @concat_rank(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'tg.concat' op input #1 has rank 1 but input #0 has rank 2}}
  %0 = tg.concat %a, %b [0] : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @concat_element_type(%a: tensor<2x3xf32>, %b: tensor<2x3xf64>) {
  // expected-error @+1 {{'tg.concat' op input #1 has element type 'f64' but input #0 has 'f32'}}
  %0 = tg.concat %a, %b [0] : (tensor<2x3xf32>, tensor<2x3xf64>) -> tensor<4x3xf32>
  return
}

// -----

func.func @concat_result(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'tg.concat' op result type 'tensor<2x6xf32>' does not match the inferred type 'tensor<4x3xf32>'}}
  %0 = tg.concat %a, %a [0] : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_empty() {
  // expected-error @+1 {{'tg.concat' op expects at least one input}}
  %0 = "tg.concat"() <{axis = 0 : i64}> : () -> tensor<4xf32>
  return
}

// -----

func.func @slice_count(%a: tensor<4x5xf32>) {
  // expected-error @+1 {{'tg.slice' op expects one range per dimension: 2 for the operand, found 1}}
  %0 = tg.slice %a [0:2] : tensor<4x5xf32> -> tensor<2xf32>
  return
}

// -----

func.func @slice_bounds(%a: tensor<4x5xf32>) {
  // expected-error @+1 {{'tg.slice' op range 0:6:1 of dimension 1 is invalid for its size 5 (expected 0 <= start <= limit <= size and stride >= 1)}}
  %0 = tg.slice %a [0:2, 0:6] : tensor<4x5xf32> -> tensor<2x6xf32>
  return
}

// -----

func.func @slice_reversed(%a: tensor<4x5xf32>) {
  // expected-error @+1 {{'tg.slice' op range 3:1:1 of dimension 0 is invalid for its size 4}}
  %0 = tg.slice %a [3:1, 0:5] : tensor<4x5xf32> -> tensor<0x5xf32>
  return
}

// -----

func.func @slice_stride(%a: tensor<4x5xf32>) {
  // expected-error @+1 {{'tg.slice' op range 0:4:0 of dimension 0 is invalid for its size 4}}
  %0 = tg.slice %a [0:4:0, 0:5] : tensor<4x5xf32> -> tensor<4x5xf32>
  return
}

// -----

func.func @slice_result(%a: tensor<4x5xf32>) {
  // expected-error @+1 {{'tg.slice' op result type 'tensor<2x3xf32>' does not match the inferred type 'tensor<2x2xf32>'}}
  %0 = tg.slice %a [0:2, 1:4:2] : tensor<4x5xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @slice_syntax(%a: tensor<4x5xf32>) {
  // expected-error @+1 {{expected ':'}}
  %0 = tg.slice %a [0, 1] : tensor<4x5xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @conv_rank(%i: tensor<8x8x3xf32>, %w: tensor<3x3x3x16xf32>) {
  // expected-error @+1 {{'tg.conv2d' op expects a rank-4 NHWC input and a rank-4 HWCF filter, found ranks 3 and 4}}
  %0 = tg.conv2d %i, %w strides [1, 1] padding [0, 0, 0, 0] dilations [1, 1] : (tensor<8x8x3xf32>, tensor<3x3x3x16xf32>) -> tensor<1x6x6x16xf32>
  return
}

// -----

func.func @conv_channels(%i: tensor<1x8x8x4xf32>, %w: tensor<3x3x3x16xf32>) {
  // expected-error @+1 {{'tg.conv2d' op input has 4 channels but the filter expects 3}}
  %0 = tg.conv2d %i, %w strides [1, 1] padding [0, 0, 0, 0] dilations [1, 1] : (tensor<1x8x8x4xf32>, tensor<3x3x3x16xf32>) -> tensor<1x6x6x16xf32>
  return
}

// -----

func.func @conv_window(%i: tensor<1x2x8x3xf32>, %w: tensor<3x3x3x16xf32>) {
  // expected-error @+1 {{'tg.conv2d' op invalid window along H: input 2, kernel 3, padding 0+0, stride 1, dilation 1}}
  %0 = tg.conv2d %i, %w strides [1, 1] padding [0, 0, 0, 0] dilations [1, 1] : (tensor<1x2x8x3xf32>, tensor<3x3x3x16xf32>) -> tensor<1x1x6x16xf32>
  return
}

// -----

func.func @conv_stride(%i: tensor<1x8x8x3xf32>, %w: tensor<3x3x3x16xf32>) {
  // expected-error @+1 {{'tg.conv2d' op invalid window along W: input 8, kernel 3, padding 0+0, stride 0, dilation 1}}
  %0 = tg.conv2d %i, %w strides [1, 0] padding [0, 0, 0, 0] dilations [1, 1] : (tensor<1x8x8x3xf32>, tensor<3x3x3x16xf32>) -> tensor<1x6x6x16xf32>
  return
}

// -----

func.func @conv_attr_sizes(%i: tensor<1x8x8x3xf32>, %w: tensor<3x3x3x16xf32>) {
  // expected-error @+1 {{'tg.conv2d' op expects 2 strides, 4 paddings [top, bottom, left, right] and 2 dilations, found 2, 2 and 2}}
  %0 = tg.conv2d %i, %w strides [1, 1] padding [0, 0] dilations [1, 1] : (tensor<1x8x8x3xf32>, tensor<3x3x3x16xf32>) -> tensor<1x6x6x16xf32>
  return
}

// -----

func.func @conv_result(%i: tensor<1x8x8x3xf32>, %w: tensor<3x3x3x16xf32>) {
  // expected-error @+1 {{'tg.conv2d' op result type 'tensor<1x8x8x16xf32>' does not match the inferred type 'tensor<1x6x6x16xf32>'}}
  %0 = tg.conv2d %i, %w strides [1, 1] padding [0, 0, 0, 0] dilations [1, 1] : (tensor<1x8x8x3xf32>, tensor<3x3x3x16xf32>) -> tensor<1x8x8x16xf32>
  return
}

// -----

func.func @conv_element_types(%i: tensor<1x8x8x3xf32>, %w: tensor<3x3x3x16xf16>) {
  // expected-error @+1 {{'tg.conv2d' op input and filter must share their element type, found 'f32' and 'f16'}}
  %0 = tg.conv2d %i, %w strides [1, 1] padding [0, 0, 0, 0] dilations [1, 1] : (tensor<1x8x8x3xf32>, tensor<3x3x3x16xf16>) -> tensor<1x6x6x16xf32>
  return
}

// -----

func.func @grad_unknown_callee(%x: tensor<3xf32>) {
  // expected-error @+1 {{'tg.grad' op 'missing' does not reference a func.func in scope}}
  %v, %g = tg.grad @missing(%x) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return
}

// -----

func.func private @f(%x: tensor<3xf32>) -> tensor<f32>

func.func @grad_arg_count(%x: tensor<3xf32>) {
  // expected-error @+1 {{'tg.grad' op passes 2 arguments but @f takes 1}}
  %v, %g = tg.grad @f(%x, %x) wrt [0] : (tensor<3xf32>, tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return
}

// -----

func.func private @f(%x: tensor<3xf32>) -> tensor<f32>

func.func @grad_arg_type(%x: tensor<4xf32>) {
  // expected-error @+1 {{'tg.grad' op argument #0 has type 'tensor<4xf32>' but @f expects 'tensor<3xf32>'}}
  %v, %g = tg.grad @f(%x) wrt [0] : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  return
}

// -----

func.func private @f(%x: tensor<3xf32>) -> (tensor<f32>, tensor<f32>)

func.func @grad_callee_results(%x: tensor<3xf32>) {
  // expected-error @+1 {{'tg.grad' op @f must return exactly one value to differentiate, it returns 2}}
  %v, %g = tg.grad @f(%x) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return
}

// -----

func.func private @f(%x: tensor<3xf32>) -> tensor<f32>

func.func @grad_value_type(%x: tensor<3xf32>) {
  // expected-error @+1 {{'tg.grad' op result #0 has type 'tensor<1xf32>' but @f returns 'tensor<f32>'}}
  %v, %g = tg.grad @f(%x) wrt [0] : (tensor<3xf32>) -> (tensor<1xf32>, tensor<3xf32>)
  return
}

// -----

func.func private @f(%x: tensor<3xf32>) -> tensor<f32>

func.func @grad_wrt_range(%x: tensor<3xf32>) {
  // expected-error @+1 {{'tg.grad' op 'wrt' indices (1,) must be unique and in [0, 1)}}
  %v, %g = tg.grad @f(%x) wrt [1] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return
}

// -----

func.func private @f(%x: tensor<3xf32>, %y: tensor<3xf32>) -> tensor<f32>

func.func @grad_wrt_duplicate(%x: tensor<3xf32>) {
  // expected-error @+1 {{'tg.grad' op 'wrt' indices (0, 0) must be unique and in [0, 2)}}
  %v:3 = tg.grad @f(%x, %x) wrt [0, 0] : (tensor<3xf32>, tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func.func private @f(%x: tensor<3xf32>) -> tensor<f32>

func.func @grad_wrt_empty(%x: tensor<3xf32>) {
  // expected-error @+1 {{'tg.grad' op expects at least one argument index in 'wrt'}}
  %v = tg.grad @f(%x) wrt [] : (tensor<3xf32>) -> tensor<f32>
  return
}

// -----

func.func private @f(%x: tensor<3xf32>) -> tensor<f32>

func.func @grad_result_count(%x: tensor<3xf32>) {
  // expected-error @+1 {{'tg.grad' op expects 2 results (the value, then one gradient per differentiated argument), found 1}}
  %v = tg.grad @f(%x) wrt [0] : (tensor<3xf32>) -> tensor<f32>
  return
}

// -----

func.func private @f(%x: tensor<3xf32>) -> tensor<f32>

func.func @grad_gradient_type(%x: tensor<3xf32>) {
  // expected-error @+1 {{'tg.grad' op gradient result #1 has type 'tensor<3xf64>' but argument #0 has type 'tensor<3xf32>'}}
  %v, %g = tg.grad @f(%x) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf64>)
  return
}

// -----

func.func private @f(%x: tensor<3xi32>) -> tensor<f32>

func.func @grad_integer_argument(%x: tensor<3xi32>) {
  // expected-error @+1 {{'tg.grad' op cannot differentiate with respect to argument #0 of non-float type 'tensor<3xi32>'}}
  %v, %g = tg.grad @f(%x) wrt [0] : (tensor<3xi32>) -> (tensor<f32>, tensor<3xi32>)
  return
}

// -----

func.func private @f(%x: tensor<3xf32>) -> tensor<i32>

func.func @grad_integer_value(%x: tensor<3xf32>) {
  // expected-error @+1 {{'tg.grad' op the differentiated value must be a float tensor, found 'tensor<i32>'}}
  %v, %g = tg.grad @f(%x) wrt [0] : (tensor<3xf32>) -> (tensor<i32>, tensor<3xf32>)
  return
}

// -----

func.func @tape_arg_count(%x: tensor<3xf32>) {
  // expected-error @+1 {{'tg.tape' op region has 2 arguments but 1 values are watched}}
  %y, %dx = tg.tape wrt(%x) : (tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  ^bb0(%a: tensor<3xf32>, %b: tensor<3xf32>):
    tg.yield %a : tensor<3xf32>
  }
  return
}

// -----

func.func @tape_arg_type(%x: tensor<3xf32>) {
  // expected-error @+1 {{'tg.tape' op region argument #0 has type 'tensor<4xf32>' but the watched value has type 'tensor<3xf32>'}}
  %y, %dx = tg.tape wrt(%x) : (tensor<3xf32>) -> (tensor<4xf32>, tensor<3xf32>) {
  ^bb0(%a: tensor<4xf32>):
    tg.yield %a : tensor<4xf32>
  }
  return
}

// -----

func.func @tape_yield_count(%x: tensor<3xf32>) {
  %y, %dx = tg.tape wrt(%x) : (tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  ^bb0(%a: tensor<3xf32>):
    // expected-error @+1 {{'tg.yield' op must yield exactly one value, the tape's target; found 2}}
    tg.yield %a, %a : tensor<3xf32>, tensor<3xf32>
  }
  return
}

// -----

func.func @tape_yield_type(%x: tensor<3xf32>) {
  // expected-error @+1 {{'tg.tape' op result #0 has type 'tensor<f32>' but the region yields 'tensor<3xf32>'}}
  %y, %dx = tg.tape wrt(%x) : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>) {
  ^bb0(%a: tensor<3xf32>):
    tg.yield %a : tensor<3xf32>
  }
  return
}

// -----

func.func @tape_result_count(%x: tensor<3xf32>) {
  // expected-error @+1 {{'tg.tape' op expects 2 results (the value, then one gradient per differentiated argument), found 1}}
  %y = tg.tape wrt(%x) : (tensor<3xf32>) -> tensor<3xf32> {
  ^bb0(%a: tensor<3xf32>):
    tg.yield %a : tensor<3xf32>
  }
  return
}

// -----

func.func @tape_gradient_type(%x: tensor<3xf32>) {
  // expected-error @+1 {{'tg.tape' op gradient result #1 has type 'tensor<f32>' but argument #0 has type 'tensor<3xf32>'}}
  %y, %dx = tg.tape wrt(%x) : (tensor<3xf32>) -> (tensor<3xf32>, tensor<f32>) {
  ^bb0(%a: tensor<3xf32>):
    tg.yield %a : tensor<3xf32>
  }
  return
}

// -----

func.func @tape_no_terminator(%x: tensor<3xf32>) {
  %y, %dx = tg.tape wrt(%x) : (tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  ^bb0(%a: tensor<3xf32>):
    // expected-error @+1 {{block with no terminator}}
    %b = tg.neg %a : tensor<3xf32>
  }
  return
}

// -----

func.func @tape_nothing_watched() {
  %c = tg.constant dense<1.0> : tensor<f32>
  // expected-error @+1 {{'tg.tape' op expects at least one watched value}}
  %y = tg.tape wrt() : () -> tensor<f32> {
  ^bb0:
    tg.yield %c : tensor<f32>
  }
  return
}

// -----

func.func @tape_integer_watched(%x: tensor<3xi32>) {
  // expected-error @+1 {{'tg.tape' op cannot differentiate with respect to argument #0 of non-float type 'tensor<3xi32>'}}
  %y, %dx = tg.tape wrt(%x) : (tensor<3xi32>) -> (tensor<f32>, tensor<3xi32>) {
  ^bb0(%a: tensor<3xi32>):
    %f = tg.cast %a : tensor<3xi32> to tensor<3xf32>
    %s = tg.reduce_sum %f [0] : tensor<3xf32> -> tensor<f32>
    tg.yield %s : tensor<f32>
  }
  return
}

// -----

func.func @yield_outside_tape(%x: tensor<3xf32>) {
  // expected-error @+1 {{'tg.yield' op expects parent op 'tg.tape'}}
  tg.yield %x : tensor<3xf32>
}

// -----

func.func @constant_type_mismatch() {
  // expected-error @+1 {{'tg.constant' op failed to verify that all of {value, result} have same type}}
  %0 = "tg.constant"() <{value = dense<1.0> : tensor<2xf32>}> : () -> tensor<3xf32>
  return
}

// -----

func.func @unknown_op(%x: tensor<3xf32>) {
  // expected-error @+1 {{custom op 'tg.frobnicate' is unknown}}
  %0 = tg.frobnicate %x : tensor<3xf32>
  return
}

// -----

func.func @floordiv_not_broadcastable(%a: tensor<4x3xi32>, %b: tensor<4xi32>) {
  // expected-error @+1 {{'tg.floordiv' op operand shapes (4, 3) and (4,) are not broadcast-compatible}}
  %0 = tg.floordiv %a, %b : (tensor<4x3xi32>, tensor<4xi32>) -> tensor<4x3xi32>
  return
}

// -----

func.func @mod_element_types(%a: tensor<4xf32>, %b: tensor<4xi32>) {
  // expected-error @+1 {{'tg.mod' op operands must share their element type, found 'f32' and 'i32'}}
  %0 = tg.mod %a, %b : (tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>
  return
}

// -----

func.func @mod_bool(%a: tensor<4xi1>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<4xi1>'}}
  %0 = tg.mod %a, %a : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  return
}

// -----

// Tensor sizes are bounded: 2^32 elements and 2^36 bytes per tensor.
func.func @too_many_elements(%a: tensor<4294967296x2xf32>) {
  // expected-error @+1 {{'tg.exp' op operand #0 has type 'tensor<4294967296x2xf32>', larger than tg's limit of 2^32 elements and 2^36 bytes (64 GiB) per tensor}}
  %0 = tg.exp %a : tensor<4294967296x2xf32>
  return
}

// -----

// An element count that overflows int64 is caught before it overflows.
func.func @overflowing_elements(%a: tensor<9223372036854775807x9223372036854775807xf32>) {
  // expected-error @+1 {{'tg.neg' op operand #0 has type 'tensor<9223372036854775807x9223372036854775807xf32>', larger than tg's limit}}
  %0 = tg.neg %a : tensor<9223372036854775807x9223372036854775807xf32>
  return
}

// -----

// Within the element limit but beyond the byte limit (2^32 f64 = 32 GiB is
// fine; 2^33 elements are not).
func.func @too_many_bytes() {
  // expected-error @+1 {{'tg.constant' op result #0 has type 'tensor<65536x65536x2xf64>', larger than tg's limit}}
  %0 = tg.constant dense<1.0> : tensor<65536x65536x2xf64>
  return
}

// -----

func.func @rounding_an_integer(%a: tensor<4xi32>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = tg.floor %a : tensor<4xi32>
  return
}

// -----

func.func @gather_axis_out_of_range(%a: tensor<4x3xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{'tg.gather' op axis 2 is out of range for rank 2}}
  %0 = tg.gather %a, %i [2] : (tensor<4x3xf32>, tensor<2xi64>) -> tensor<4x3xf32>
  return
}

// -----

func.func @gather_wrong_result(%a: tensor<4x3xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{'tg.gather' op result type 'tensor<4x2xf32>' does not match the inferred type 'tensor<2x3xf32>'}}
  %0 = tg.gather %a, %i [0] : (tensor<4x3xf32>, tensor<2xi64>) -> tensor<4x2xf32>
  return
}

// -----

func.func @gather_float_indices(%a: tensor<4x3xf32>, %i: tensor<2xf32>) {
  // expected-error @+1 {{operand #1 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2xf32>'}}
  %0 = tg.gather %a, %i [0] : (tensor<4x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @gather_from_empty_axis(%a: tensor<0x3xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{'tg.gather' op cannot gather from the empty axis 0}}
  %0 = tg.gather %a, %i [0] : (tensor<0x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return
}

// -----

func.func @random_key_shape(%k: tensor<3xi64>) {
  // expected-error @+1 {{'tg.random_uniform' op key must be a tensor<2xi64> (the Philox key and the counter's upper word), found 'tensor<3xi64>'}}
  %0 = tg.random_uniform %k : tensor<3xi64> -> tensor<4xf32>
  return
}

// -----

func.func @random_integer_result(%k: tensor<2xi64>) {
  // expected-error @+1 {{result #0 must be statically shaped tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = tg.random_uniform %k : tensor<2xi64> -> tensor<4xi32>
  return
}

// -----

func.func @insert_slice_window(%a: tensor<4x5xf32>, %s: tensor<2x3xf32>) {
  // expected-error @+1 {{'tg.insert_slice' op expects a source of type 'tensor<2x2xf32>' (the window's), found 'tensor<2x3xf32>'}}
  %0 = tg.insert_slice %s into %a [0:2, 1:4:2] : tensor<2x3xf32> into tensor<4x5xf32>
  return
}

// -----

func.func @insert_slice_element_type(%a: tensor<4x5xf32>, %s: tensor<2x2xf16>) {
  // expected-error @+1 {{'tg.insert_slice' op expects a source of type 'tensor<2x2xf32>' (the window's), found 'tensor<2x2xf16>'}}
  %0 = tg.insert_slice %s into %a [0:2, 1:4:2] : tensor<2x2xf16> into tensor<4x5xf32>
  return
}

// -----

func.func @insert_slice_bounds(%a: tensor<4x5xf32>, %s: tensor<2x6xf32>) {
  // expected-error @+1 {{'tg.insert_slice' op range 0:6:1 of dimension 1 is invalid for its size 5 (expected 0 <= start <= limit <= size and stride >= 1)}}
  %0 = tg.insert_slice %s into %a [0:2, 0:6] : tensor<2x6xf32> into tensor<4x5xf32>
  return
}

// -----

func.func @insert_slice_count(%a: tensor<4x5xf32>, %s: tensor<2xf32>) {
  // expected-error @+1 {{'tg.insert_slice' op expects one range per dimension: 2 for the operand, found 1}}
  %0 = tg.insert_slice %s into %a [0:2] : tensor<2xf32> into tensor<4x5xf32>
  return
}
